module github.com/parleyhq/parley/bench

go 1.26.8

require (
	github.com/cbroglie/mustache v1.4.2
	github.com/jackc/pgx/v5 v5.13.0
	github.com/osteele/liquid v1.6.0
	github.com/parleyhq/parley v0.0.0
	github.com/stretchr/testify v1.12.1
	github.com/valyala/fasttemplate v1.2.2
	golang.org/x/text v0.43.0
)

require (
	github.com/jackc/pgpassfile v1.0.0 // indirect
	github.com/jackc/pgservicefile v0.0.0-20240606120523-5a60cdf6a761 // indirect
	github.com/jackc/puddle/v2 v2.2.3 // indirect
	github.com/kr/text v0.2.0 // indirect
	github.com/rogpeppe/go-internal v1.16.0 // indirect
	golang.org/x/sync v0.24.0 // indirect
)

require (
	github.com/google/uuid v1.6.0
	github.com/nyaruka/phonenumbers v1.8.1 // indirect
	github.com/osteele/tuesday v1.0.3 // indirect
	github.com/parleyhq/parley/store/postgres v0.0.0
	github.com/rivo/uniseg v0.4.7 // indirect
	github.com/valyala/bytebufferpool v1.0.0 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	google.golang.org/protobuf v1.36.11 // indirect
	gopkg.in/yaml.v2 v2.4.0 // indirect
)

replace github.com/parleyhq/parley => ../

replace github.com/parleyhq/parley/store/postgres => ../store/postgres
