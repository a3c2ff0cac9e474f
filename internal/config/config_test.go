package config

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
)

var canonicalV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestClientIDStable(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "plextray")
	a, rep, err := ClientID(dir)
	if err != nil || rep != nil {
		t.Fatal(err, rep)
	}
	if !canonicalV4.MatchString(a) {
		t.Fatalf("not a lower-case v4 UUID: %q", a)
	}
	b, rep, err := ClientID(dir)
	if err != nil || rep != nil || a != b {
		t.Fatalf("second read %q, %v, %v; want %q", b, rep, err, a)
	}
	fi, err := os.Stat(filepath.Join(dir, clientIDFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("file mode %v, %v", fi.Mode(), err)
	}
}

// concurrentIDs calls ClientID(dir) from 8 goroutines at once.
func concurrentIDs(t *testing.T, dir string) []string {
	t.Helper()
	ids := make([]string, 8)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Go(func() {
			id, _, err := ClientID(dir)
			if err != nil {
				t.Error(err)
			}
			ids[i] = id
		})
	}
	wg.Wait()
	return ids
}

func TestClientIDConcurrentFirstRun(t *testing.T) {
	dir := t.TempDir()
	ids := concurrentIDs(t, dir)
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("different ids on concurrent first run: %v", ids)
		}
	}
}

func TestClientIDAnySpelling(t *testing.T) {
	for _, id := range []string{
		"6F9619FF-8B86-4011-B42D-00C04FC964FF",
		"6f9619ff-8b86-d011-b42d-00c04fc964ff", // version 13? any version
		"{6f9619ff-8b86-4011-b42d-00c04fc964ff}",
		"urn:uuid:6f9619ff-8b86-4011-b42d-00c04fc964ff",
	} {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, clientIDFile), []byte(id+"\n"), 0o600)
		got, rep, err := ClientID(dir)
		if err != nil || rep != nil || got != id {
			t.Errorf("%q: got %q, %v, %v; want it used as written", id, got, rep, err)
		}
	}
}

func TestClientIDDamagedIsReplaced(t *testing.T) {
	for _, damaged := range []string{"nope", "", "6f9619ff-8b86-4011-b42d", "6f9619ff-8b86-4011-b42d-00c04fc964ffXX", "\x00\x01"} {
		dir := t.TempDir()
		path := filepath.Join(dir, clientIDFile)
		os.WriteFile(path, []byte(damaged), 0o600)
		id, rep, err := ClientID(dir)
		if err != nil || rep == nil || !canonicalV4.MatchString(id) {
			t.Fatalf("%q: id %q, replaced %v, err %v", damaged, id, rep, err)
		}
		if rep.Path != path || !strings.HasPrefix(filepath.Base(rep.SetAside), "client-id.damaged-") {
			t.Fatalf("replaced %+v", rep)
		}
		if b, err := os.ReadFile(rep.SetAside); err != nil || string(b) != damaged {
			t.Fatalf("set-aside file holds %q, %v; want the damaged text", b, err)
		}
		again, rep2, err := ClientID(dir)
		if err != nil || rep2 != nil || again != id {
			t.Fatalf("after repair: %q, %v, %v; want %q", again, rep2, err, id)
		}
	}
}

// Several processes finding the same damaged file still agree on the new
// identifier, and exactly the damaged text is kept aside.
func TestClientIDConcurrentRepair(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, clientIDFile), []byte("damaged"), 0o600)
	ids := concurrentIDs(t, dir)
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("different ids after a concurrent repair: %v", ids)
		}
	}
	aside, _ := filepath.Glob(filepath.Join(dir, "client-id.damaged-*"))
	if len(aside) != 1 {
		t.Fatalf("set-aside files: %v", aside)
	}
}

func TestDir(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	for _, tc := range []struct {
		goos string
		env  func(string) string
		want string // "" = an error
	}{
		{"linux", env("XDG_CONFIG_HOME", "/xdg", "HOME", "/home/ann"), "/xdg"},
		{"linux", env("HOME", "/home/ann"), "/home/ann/.config"},
		{"linux", env("XDG_CONFIG_HOME", "rel", "HOME", "/home/ann"), ""},
		{"linux", env(), ""},
		{"darwin", env("HOME", "/Users/ann", "XDG_CONFIG_HOME", "/xdg"), "/Users/ann/Library/Application Support"},
		{"windows", env("AppData", `C:\Users\ann\AppData\Roaming`), `C:\Users\ann\AppData\Roaming`},
		{"windows", env("HOME", "/x"), ""},
	} {
		got, err := userConfigDir(tc.goos, tc.env)
		if (tc.want == "") != (err != nil) || got != filepath.FromSlash(tc.want) {
			t.Errorf("%s: got %q, %v; want %q", tc.goos, got, err, tc.want)
		}
	}
	if runtime.GOOS == "linux" {
		if d, err := Dir(env("XDG_CONFIG_HOME", "/tmp/xdgtest")); err != nil || d != "/tmp/xdgtest/plextray" {
			t.Fatalf("Dir = %q, %v", d, err)
		}
	}
}

func FuzzClientIDFile(f *testing.F) {
	for _, s := range []string{"6f9619ff-8b86-4011-b42d-00c04fc964ff\n", "nope", "{6F9619FF-8B86-4011-B42D-00C04FC964FF}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, content string) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, clientIDFile), []byte(content), 0o600)
		id, rep, err := ClientID(dir)
		if err != nil || !validID(id) {
			t.Fatalf("%q: id %q, err %v", content, id, err)
		}
		if (rep == nil) != (strings.TrimSpace(content) == id) {
			t.Fatalf("%q: id %q, replaced %v", content, id, rep)
		}
	})
}

func TestWatchReportsChangesToNamedFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "plextray")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, err := Watch(ctx, dir, "profiles.json")
	if err != nil {
		t.Fatal(err)
	}
	// profiles.json is replaced as home.Update replaces it.
	tmp := filepath.Join(dir, ".profiles.json-1")
	if err := os.WriteFile(tmp, []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, "profiles.json")); err != nil {
		t.Fatal(err)
	}
	<-ch // the rename into place (the test's deadline bounds the wait)
}
