module github.com/parleyhq/parley/bench

go 1.26.0

require github.com/parleyhq/parley v0.0.0

replace github.com/parleyhq/parley => ../
