package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"reflect"
	"testing"

	"github.com/parleyhq/parley/report"
)

// seedExport is a small export of the scripted day, both formats.
func seedExport(f *testing.F, format report.Format) []byte {
	f.Helper()
	_, log, store := scriptedDesk(f)
	var buf bytes.Buffer
	if _, err := report.Export(context.Background(), &buf, store, report.ExportOptions{Format: format, Log: log}); err != nil {
		f.Fatal(err)
	}
	return buf.Bytes()
}

// reexport writes records back in format, for the round trip.
func reexport(t *testing.T, recs []report.Record, format report.Format) []report.Record {
	t.Helper()
	var buf bytes.Buffer
	w, err := report.NewWriter(&buf, format)
	if err != nil {
		t.Fatal(err)
	}
	for i := range recs {
		if err := w.Write(&recs[i]); err != nil {
			t.Fatalf("writing back what was read: %v", err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatalf("writing back what was read: %v", err)
	}
	var back []report.Record
	read := report.ReadJSONL
	if format == report.CSV {
		read = report.ReadCSV
	}
	if err := read(&buf, func(r report.Record) error { back = append(back, r); return nil }); err != nil {
		t.Fatalf("reading back what was written: %v\n%s", err, buf.String())
	}
	return back
}

// FuzzReadJSONL: any input is read or refused with a *RecordError, never
// a panic; what is read writes back and reads back the same, and its
// events decode or are refused cleanly.
func FuzzReadJSONL(f *testing.F) {
	f.Add(seedExport(f, report.JSONLines))
	f.Add([]byte(`{"kind":"event","conversation_id":"01000000-0000-7000-8000-000000000001","at":"2026-11-02T09:00:00Z","name":"conversation.closed","data":{"From":"wrap_up"}}`))
	f.Add([]byte("\n\n{}\n"))
	f.Fuzz(func(t *testing.T, in []byte) { readsBack(t, in, report.ReadJSONL, report.JSONLines) })
}

// FuzzReadCSV is FuzzReadJSONL for CSV.
func FuzzReadCSV(f *testing.F) {
	f.Add(seedExport(f, report.CSV))
	f.Add([]byte("kind,conversation_id\n"))
	f.Fuzz(func(t *testing.T, in []byte) { readsBack(t, in, report.ReadCSV, report.CSV) })
}

// readsBack reads in with read; what it reads must write back in format
// and read back the same.
func readsBack(t *testing.T, in []byte, read func(io.Reader, func(report.Record) error) error, format report.Format) {
	var recs []report.Record
	err := read(bytes.NewReader(in), func(r report.Record) error {
		recs = append(recs, r)
		if r.Kind == report.KindEvent {
			_, _ = r.Event()
		}
		return nil
	})
	if err != nil {
		return
	}
	back := reexport(t, recs, format)
	if len(back) != len(recs) {
		t.Fatalf("read %d records, read back %d", len(recs), len(back))
	}
	for i := range recs {
		if !sameRecord(recs[i], back[i]) {
			t.Fatalf("record %d: %+v read back as %+v", i, recs[i], back[i])
		}
	}
}

// sameRecord compares records as an export carries them: instants, not
// time zones; JSON data by its compact form.
func sameRecord(a, b report.Record) bool {
	compact := func(d []byte) string {
		var buf bytes.Buffer
		if len(d) == 0 {
			return ""
		}
		_ = json.Compact(&buf, d)
		return buf.String()
	}
	if !a.At.Equal(b.At) || compact(a.Data) != compact(b.Data) {
		return false
	}
	a.At, a.Data, b.Data = b.At, nil, nil
	return reflect.DeepEqual(a, b)
}
