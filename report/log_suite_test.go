package report_test

import (
	"testing"

	"github.com/parleyhq/parley/report"
	"github.com/parleyhq/parley/report/reporttest"
)

func TestMemoryLogSuite(t *testing.T) {
	reporttest.RunLog(t, func(*testing.T) report.Log { return report.NewMemoryLog() })
}
