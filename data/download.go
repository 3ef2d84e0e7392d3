package data

import (
	"archive/tar"
	"compress/gzip"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Source is where a data set is downloaded from: a .tar.gz archive, its
// published MD5, the folder its files sit in inside the archive and the
// files a complete data set has; or, for a data set published as plain
// files (SVHN's .mat files), the folder URL and each file's MD5.
type Source struct {
	URL   string
	MD5   string   // hex
	Strip string   // leading folder of the archive's members, removed on unpacking
	Files []string // required files (names after Strip); other regular files under Strip are kept too
	// FileMD5, when set, makes URL a folder: each of Files is fetched from
	// URL+name and checked against FileMD5[name] (hex); MD5 and Strip are
	// unused.
	FileMD5 map[string]string
}

// Sources are the official archives (the MD5 sums are the ones the authors
// publish and torchvision pins). Tests point an entry at a local server.
var Sources = map[string]Source{
	"cifar10": {
		URL:   "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz",
		MD5:   "c32a1d4ab5d03f1284b67883e8d87530",
		Strip: "cifar-10-batches-bin",
		Files: []string{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
			"data_batch_5.bin", "test_batch.bin", "batches.meta.txt"},
	},
	"cifar100": {
		URL:   "https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz",
		MD5:   "03b5dce01913d631647c71ecec9e9cb8",
		Strip: "cifar-100-binary",
		Files: []string{"train.bin", "test.bin", "coarse_label_names.txt", "fine_label_names.txt"},
	},
	"stl10": {
		URL:   "http://ai.stanford.edu/~acoates/stl10/stl10_binary.tar.gz",
		MD5:   "91f7769df0f17e558f3565bffb0c7dfb",
		Strip: "stl10_binary",
		Files: []string{"train_X.bin", "train_y.bin", "test_X.bin", "test_y.bin", "unlabeled_X.bin", "class_names.txt"},
	},
	// SVHN's cropped digits; the MD5s are the ones torchvision pins.
	"svhn": {
		URL:   "http://ufldl.stanford.edu/housenumbers/",
		Files: []string{"train_32x32.mat", "test_32x32.mat"},
		FileMD5: map[string]string{
			"train_32x32.mat": "e26dedcc434d2e4c54c9b2d4a06d8373",
			"test_32x32.mat":  "eb5a983be6a315427106f1b164d9cef3",
		},
	},
}

// sourceName maps a data set name to its Sources key (cifar20 is read from
// the CIFAR-100 archive).
func sourceName(name string) string {
	if name == "cifar20" {
		return "cifar100"
	}
	return name
}

// Downloaded reports whether dir already holds every file of the named data
// set's archive.
func Downloaded(name, dir string) bool {
	src, ok := Sources[sourceName(name)]
	if !ok {
		return false
	}
	for _, f := range src.Files {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return false
		}
	}
	return true
}

// Download fetches the named data set (cifar10, cifar100, cifar20, stl10, svhn)
// into dir (DefaultDir(name) when ""), unless it is already there. See
// DownloadFrom for what happens on the way.
func Download(name, dir string, client *http.Client) error {
	src, ok := Sources[sourceName(name)]
	if !ok {
		hint := "download it yourself and pass --data_dir"
		if name == "fashion-mnist" {
			hint = "apt-get install dataset-fashion-mnist"
		}
		return fmt.Errorf("data: --download does not know %q (it fetches cifar10, cifar100, cifar20, stl10, svhn; HINT: %s)", name, hint)
	}
	if dir == "" {
		dir = DefaultDir(name)
	}
	if Downloaded(name, dir) {
		return nil
	}
	if src.FileMD5 != nil {
		return DownloadFiles(src, dir, client)
	}
	return DownloadFrom(src, dir, client)
}

// DownloadFrom fetches src.URL with client (http.DefaultClient when nil)
// into a temporary folder inside dir while computing its MD5, checks the
// length and the MD5, unpacks the members under src.Strip there, checks that
// every file of src.Files came, and only then renames the files into dir.
// On any error the temporary folder is removed: dir never holds a partial
// file, and its files are only replaced by verified ones.
func DownloadFrom(src Source, dir string, client *http.Client) (err error) {
	if client == nil {
		client = http.DefaultClient
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("data: download: %w", err)
	}
	// The temporary folder sits inside dir so that the final renames stay on
	// one file system (atomic), and a leftover from a killed process is
	// visibly ours (.download-*).
	tmp, err := os.MkdirTemp(dir, ".download-")
	if err != nil {
		return fmt.Errorf("data: download: %w", err)
	}
	defer os.RemoveAll(tmp)
	archive := filepath.Join(tmp, "archive.tar.gz")
	if err := fetch(client, src, archive); err != nil {
		return err
	}
	out := filepath.Join(tmp, "files")
	got, err := unpack(archive, src, out)
	if err != nil {
		return err
	}
	os.Remove(archive) // free the space before the files move
	for _, f := range src.Files {
		if !got[f] {
			return fmt.Errorf("data: %s: archive has no %s/%s (HINT: not the expected archive)", src.URL, src.Strip, f)
		}
	}
	// Every file is whole and verified: move them in. A crash between two
	// renames leaves some complete files; Load then names the missing one and
	// Download fetches again (Downloaded is false).
	for f := range got {
		if err := os.Rename(filepath.Join(out, f), filepath.Join(dir, f)); err != nil {
			return fmt.Errorf("data: download: %w", err)
		}
	}
	return nil
}

// DownloadFiles fetches each of src.Files from src.URL+name with client
// (http.DefaultClient when nil) into a temporary folder inside dir, checks
// its length and MD5 (src.FileMD5), and only when every file is verified
// renames them into dir; on any error dir is left as it was (files already
// there are skipped, so a rerun fetches only what is missing).
func DownloadFiles(src Source, dir string, client *http.Client) error {
	if client == nil {
		client = http.DefaultClient
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("data: download: %w", err)
	}
	tmp, err := os.MkdirTemp(dir, ".download-")
	if err != nil {
		return fmt.Errorf("data: download: %w", err)
	}
	defer os.RemoveAll(tmp)
	var got []string
	for _, f := range src.Files {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			continue
		}
		sum, ok := src.FileMD5[f]
		if !ok {
			return fmt.Errorf("data: download %s: no MD5 for %s", src.URL, f)
		}
		if err := fetch(client, Source{URL: src.URL + f, MD5: sum}, filepath.Join(tmp, f)); err != nil {
			return err
		}
		got = append(got, f)
	}
	for _, f := range got {
		if err := os.Rename(filepath.Join(tmp, f), filepath.Join(dir, f)); err != nil {
			return fmt.Errorf("data: download: %w", err)
		}
	}
	return nil
}

// fetch downloads src.URL to file, checking the length the server announced
// and the MD5.
func fetch(client *http.Client, src Source, file string) error {
	resp, err := client.Get(src.URL)
	if err != nil {
		return fmt.Errorf("data: download: %w (HINT: no network? download the archive elsewhere and unpack it into --data_dir)", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("data: download %s: HTTP status %s, want 200 OK", src.URL, resp.Status)
	}
	f, err := os.Create(file)
	if err != nil {
		return fmt.Errorf("data: download: %w", err)
	}
	// Hash while writing: the archive is read once (2.5 GB for STL-10).
	h := md5.New()
	n, err := io.Copy(io.MultiWriter(f, h), resp.Body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("data: download %s: after %d bytes: %w (HINT: truncated download, run again)", src.URL, n, err)
	}
	if resp.ContentLength >= 0 && n != resp.ContentLength {
		return fmt.Errorf("data: download %s: got %d bytes, the server announced %d (truncated download, run again)", src.URL, n, resp.ContentLength)
	}
	if sum := hex.EncodeToString(h.Sum(nil)); !strings.EqualFold(sum, src.MD5) {
		return fmt.Errorf("data: download %s: MD5 %s, want %s (%d bytes; truncated or corrupted download, run again)", src.URL, sum, src.MD5, n)
	}
	return nil
}

// unpack extracts the regular files under src.Strip/ of a .tar.gz into out
// (flat: only names without further folders) and returns the names written.
// Members with other paths are skipped; "..", absolute paths and links are
// never followed.
func unpack(archive string, src Source, out string) (map[string]bool, error) {
	f, err := os.Open(archive)
	if err != nil {
		return nil, fmt.Errorf("data: download: %w", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("data: %s: %w (HINT: not a .tar.gz archive)", src.URL, err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, fmt.Errorf("data: download: %w", err)
	}
	tr := tar.NewReader(zr)
	got := map[string]bool{}
	for {
		hd, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("data: %s: unpacking: %w", src.URL, err)
		}
		if hd.Typeflag != tar.TypeReg { // directories, links, devices: never created
			continue
		}
		// Keep only direct children of the Strip folder: "../x", "/x" and
		// "strip/sub/x" do not match and are skipped, so nothing is written
		// outside out.
		name := path.Clean(strings.TrimPrefix(hd.Name, "./"))
		dirPart, base := path.Split(name)
		if path.Clean(dirPart) != path.Clean(src.Strip) || base == "" || base == "." || base == ".." || got[base] {
			continue
		}
		w, err := os.OpenFile(filepath.Join(out, base), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return nil, fmt.Errorf("data: download: %w", err)
		}
		n, err := io.Copy(w, tr)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, fmt.Errorf("data: %s: unpacking %s after %d of %d bytes: %w", src.URL, hd.Name, n, hd.Size, err)
		}
		got[base] = true
	}
	return got, nil
}
