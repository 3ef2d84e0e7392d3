package data

import (
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeSVHN puts synthetic train_32x32.mat (3 images) and test_32x32.mat
// (2 images, compressed) into dir and returns their bytes by name.
func writeSVHN(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{
		"train_32x32.mat": svhnMAT(binary.LittleEndian, []float64{10, 1, 5}, miDOUBLE, false),
		"test_32x32.mat":  svhnMAT(binary.LittleEndian, []float64{2, 10}, miUINT8, true),
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return files
}

// TestLoadSVHN: Load("svhn") reads both splits with the SVHN constants, and
// names the missing file with a hint.
func TestLoadSVHN(t *testing.T) {
	dir := t.TempDir()
	if _, err := Load("svhn", dir, "train"); err == nil || !strings.Contains(err.Error(), "train_32x32.mat") || !strings.Contains(err.Error(), "--download") {
		t.Errorf("missing file: %v", err)
	}
	writeSVHN(t, dir)
	for split, n := range map[string]int{"train": 3, "test": 2} {
		d, err := Load("svhn", dir, split)
		if err != nil {
			t.Fatal(err)
		}
		if d.N != n || d.Name != "svhn" || len(d.Mean) != 3 || d.Mean[0] != 0.4377 || d.Std[2] != 0.1970 {
			t.Errorf("%s: %d images, name %q, mean %v std %v", split, d.N, d.Name, d.Mean, d.Std)
		}
	}
	if _, err := Load("svhn", dir, "extra"); err == nil || !strings.Contains(err.Error(), "extra") {
		t.Errorf("split extra: %v", err)
	}
}

// TestDownloadSVHN: --download fetches both plain files from the folder URL,
// each checked against its MD5; a wrong MD5 leaves no file behind, and a
// complete directory is not fetched again.
func TestDownloadSVHN(t *testing.T) {
	files := writeSVHN(t, t.TempDir())
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		b, ok := files[strings.TrimPrefix(r.URL.Path, "/housenumbers/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	defer srv.Close()
	saved := Sources["svhn"]
	defer func() { Sources["svhn"] = saved }()
	sums := map[string]string{}
	for name, b := range files {
		s := md5.Sum(b)
		sums[name] = hex.EncodeToString(s[:])
	}
	src := saved
	src.URL, src.FileMD5 = srv.URL+"/housenumbers/", map[string]string{"train_32x32.mat": sums["train_32x32.mat"], "test_32x32.mat": "00" + sums["test_32x32.mat"][2:]}
	Sources["svhn"] = src
	dir := filepath.Join(t.TempDir(), "svhn")
	if err := Download("svhn", dir, srv.Client()); err == nil || !strings.Contains(err.Error(), "MD5") {
		t.Fatalf("wrong MD5: %v", err)
	}
	if Downloaded("svhn", dir) {
		t.Fatal("a failed download left the data set in place")
	}
	if _, err := os.Stat(filepath.Join(dir, "train_32x32.mat")); err == nil {
		t.Error("a failed download moved the verified file in before the others were verified")
	}
	src.FileMD5 = sums
	Sources["svhn"] = src
	if err := Download("svhn", dir, srv.Client()); err != nil {
		t.Fatal(err)
	}
	d, err := Load("svhn", dir, "test")
	if err != nil || d.N != 2 || d.Labels[1] != 0 {
		t.Fatalf("after download: %v", err)
	}
	before := hits
	if err := Download("svhn", dir, srv.Client()); err != nil || hits != before {
		t.Errorf("second download: %v, %d more requests", err, hits-before)
	}
	if saved.FileMD5["train_32x32.mat"] != "e26dedcc434d2e4c54c9b2d4a06d8373" || saved.FileMD5["test_32x32.mat"] != "eb5a983be6a315427106f1b164d9cef3" ||
		saved.URL != "http://ufldl.stanford.edu/housenumbers/" {
		t.Errorf("the official source changed: %+v", saved)
	}
}
