package main

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"time"
)

// entry is one file or directory to archive, in a fixed order.
type entry struct {
	name string // slash path inside the archive, under the prefix
	path string // on disk
	dir  bool
	mode fs.FileMode // 0755 or 0644: only the executable bit is kept
}

// walk lists dir's contents sorted by name, with normalised modes. Symlinks
// and other special files are refused: the archives hold plain files.
func walk(dir, prefix string) ([]entry, error) {
	if dir == "" || prefix == "" {
		return nil, fmt.Errorf("-C and -prefix are required")
	}
	entries := []entry{{name: prefix + "/", dir: true, mode: 0o755}}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		name := path.Join(prefix, filepath.ToSlash(rel))
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case info.IsDir():
			entries = append(entries, entry{name: name + "/", dir: true, mode: 0o755})
		case info.Mode().IsRegular():
			mode := fs.FileMode(0o644)
			if info.Mode()&0o111 != 0 {
				mode = 0o755
			}
			entries = append(entries, entry{name: name, path: p, mode: mode})
		default:
			return fmt.Errorf("%s: not a regular file or directory", p)
		}
		return nil
	})
	sort.Slice(entries, func(i, j int) bool { return entries[i].name < entries[j].name })
	return entries, err
}

// writeTarGz writes dir as prefix/… in a gzipped tar with every timestamp
// mtime, owner root:root (numeric 0), and no gzip name or time.
func writeTarGz(w io.Writer, dir, prefix string, mtime time.Time) error {
	entries, err := walk(dir, prefix)
	if err != nil {
		return err
	}
	gz, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: int64(e.mode), ModTime: mtime, Format: tar.FormatUSTAR, Uname: "root", Gname: "root"}
		if e.dir {
			h.Typeflag = tar.TypeDir
			if err := tw.WriteHeader(h); err != nil {
				return err
			}
			continue
		}
		h.Typeflag = tar.TypeReg
		if err := copyInto(e.path, func(size int64) (io.Writer, error) {
			h.Size = size
			return tw, tw.WriteHeader(h)
		}); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

// writeZip writes dir as prefix/… in a zip with every timestamp mtime.
func writeZip(w io.Writer, dir, prefix string, mtime time.Time) error {
	entries, err := walk(dir, prefix)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(w)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Modified: mtime, Method: zip.Deflate}
		if e.dir {
			h.Method = zip.Store
			h.SetMode(fs.ModeDir | e.mode)
		} else {
			h.SetMode(e.mode)
		}
		fw, err := zw.CreateHeader(h)
		if err != nil {
			return err
		}
		if !e.dir {
			if err := copyInto(e.path, func(int64) (io.Writer, error) { return fw, nil }); err != nil {
				return err
			}
		}
	}
	return zw.Close()
}

func copyInto(p string, dst func(size int64) (io.Writer, error)) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	w, err := dst(info.Size())
	if err != nil {
		return err
	}
	n, err := io.Copy(w, f)
	if err == nil && n != info.Size() {
		err = fmt.Errorf("%s changed while being archived", p)
	}
	return err
}
