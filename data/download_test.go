package data_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"

	"twostage/data"
)

// cifarArchive builds a small cifar-10-binary.tar.gz: the official layout
// (cifar-10-batches-bin/ with 2 records per batch), plus members an unpacker
// must not follow out of the folder: "../evil.txt", a nested file and a
// symlink.
func cifarArchive(t *testing.T) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	add := func(name string, body []byte) {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write(body)
	}
	tw.WriteHeader(&tar.Header{Name: "cifar-10-batches-bin/", Mode: 0o755, Typeflag: tar.TypeDir})
	lab := func(i int) []byte { return []byte{byte(i % 10)} }
	for f := 1; f <= 5; f++ {
		add(fmt.Sprintf("cifar-10-batches-bin/data_batch_%d.bin", f), cifarRecords((f-1)*2, 2, lab))
	}
	add("cifar-10-batches-bin/test_batch.bin", cifarRecords(100, 2, lab))
	add("cifar-10-batches-bin/batches.meta.txt", []byte("airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n"))
	add("cifar-10-batches-bin/readme.html", []byte("<p>kept</p>"))
	add("../evil.txt", []byte("outside"))
	add("cifar-10-batches-bin/sub/nested.bin", []byte("nested"))
	tw.WriteHeader(&tar.Header{Name: "cifar-10-batches-bin/link", Linkname: "/etc/passwd", Typeflag: tar.TypeSymlink})
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	zw.Close()
	return buf.Bytes()
}

func md5hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

// server serves body at /a.tar.gz through mode: "ok", "truncated" (announces
// the full length, sends half), "corrupt" (one byte changed), "404".
func server(t *testing.T, body []byte, mode *string, hits *atomic.Int32) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch *mode {
		case "404":
			http.NotFound(w, r)
		case "truncated":
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.Write(body[:len(body)/2])
		case "corrupt":
			b := slices.Clone(body)
			b[len(b)/2] ^= 0xff
			w.Write(b)
		default:
			w.Write(body)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// entries lists dir's names (nil when it does not exist).
func entries(dir string) []string {
	es, _ := os.ReadDir(dir)
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

func TestDownload(t *testing.T) {
	body := cifarArchive(t)
	mode, hits := "ok", new(atomic.Int32)
	srv := server(t, body, &mode, hits)
	old := data.Sources["cifar10"]
	t.Cleanup(func() { data.Sources["cifar10"] = old })
	src := old
	src.URL, src.MD5 = srv.URL+"/a.tar.gz", md5hex(body)
	data.Sources["cifar10"] = src

	root := t.TempDir()
	dir := filepath.Join(root, "cifar10")
	// Failures first: each leaves no data file and no temporary folder behind.
	for _, m := range []struct{ mode, frag string }{
		{"404", "404"},
		{"truncated", "truncated download"},
		{"corrupt", "MD5"},
	} {
		mode = m.mode
		err := data.Download("cifar10", dir, srv.Client())
		wantErr(t, m.mode, err, m.frag)
		if es := entries(dir); len(es) != 0 {
			t.Fatalf("%s: left %v in %s", m.mode, es, dir)
		}
	}
	// An archive without a required file is refused before anything moves.
	mode = "ok"
	bad := src
	bad.Files = append(slices.Clone(src.Files), "data_batch_6.bin")
	err := data.DownloadFrom(bad, dir, srv.Client())
	wantErr(t, "missing member", err, "data_batch_6.bin")
	if es := entries(dir); len(es) != 0 {
		t.Fatalf("missing member: left %v", es)
	}
	// Success: the files are in place, nothing else, and they load.
	n0 := hits.Load()
	if err := data.Download("cifar10", dir, srv.Client()); err != nil {
		t.Fatal(err)
	}
	want := []string{"batches.meta.txt", "data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
		"data_batch_5.bin", "readme.html", "test_batch.bin"}
	if es := entries(dir); !slices.Equal(es, want) {
		t.Fatalf("downloaded %v, want %v", es, want)
	}
	if _, err := os.Stat(filepath.Join(root, "evil.txt")); err == nil {
		t.Fatal("../evil.txt escaped the data directory")
	}
	ds, err := data.Load("cifar10", dir, "train")
	if err != nil || ds.N != 10 || ds.Image(9)[7] != cifarPixel(9, 7) {
		t.Fatalf("loading the download: %v", err)
	}
	if hits.Load() != n0+1 {
		t.Fatalf("%d requests for one download", hits.Load()-n0)
	}
	// A second Download finds the data set complete and does not fetch.
	if err := data.Download("cifar10", dir, srv.Client()); err != nil || hits.Load() != n0+1 {
		t.Fatalf("second download: %v, %d requests", err, hits.Load()-n0)
	}
	if !data.Downloaded("cifar10", dir) || data.Downloaded("cifar100", dir) {
		t.Fatal("Downloaded reports the wrong state")
	}
	// Names without an archive.
	wantErr(t, "fashion-mnist", data.Download("fashion-mnist", dir, nil), "apt-get install dataset-fashion-mnist")
	wantErr(t, "folder", data.Download("folder", dir, nil), "does not know")
}

func TestSourcesComplete(t *testing.T) {
	for _, name := range []string{"cifar10", "cifar100", "stl10"} {
		s, ok := data.Sources[name]
		if !ok || s.URL == "" || len(s.MD5) != 32 || s.Strip == "" || len(s.Files) == 0 {
			t.Errorf("Sources[%q] = %+v", name, s)
		}
	}
}
