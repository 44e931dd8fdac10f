module github.com/parleyhq/parley/bench

go 1.26.0

require (
	github.com/cbroglie/mustache v1.4.2
	github.com/osteele/liquid v1.6.0
	github.com/parleyhq/parley v0.0.0
	github.com/stretchr/testify v1.12.1
	github.com/valyala/fasttemplate v1.2.2
	golang.org/x/text v0.43.0
)

require (
	github.com/google/uuid v1.6.0 // indirect
	github.com/nyaruka/phonenumbers v1.8.1 // indirect
	github.com/osteele/tuesday v1.0.3 // indirect
	github.com/rivo/uniseg v0.4.7 // indirect
	github.com/valyala/bytebufferpool v1.0.0 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	google.golang.org/protobuf v1.36.11 // indirect
	gopkg.in/yaml.v2 v2.4.0 // indirect
)

replace github.com/parleyhq/parley => ../
