package postgres_test

import (
	"testing"

	"github.com/parleyhq/parley/report"
	"github.com/parleyhq/parley/report/reporttest"
	"github.com/parleyhq/parley/store/postgres"
	"github.com/parleyhq/parley/store/postgres/internal/pgtest"
)

// The report's event log keeps report.Log's and report.Feed's contract.
func TestReportLog(t *testing.T) {
	reporttest.RunLog(t, func(t *testing.T) report.Log {
		_, pool := pgtest.Schema(t)
		return postgres.NewReportLog(pool)
	})
}
