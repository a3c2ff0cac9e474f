package localpage

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func listen(t *testing.T, dir string) *Server {
	t.Helper()
	s, err := Listen(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// client opens a connection per request, so a server that stopped
// listening is seen at once.
var client = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}

func fetch(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := client.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func text(s string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, s) })
}

// TestPagesEndButTheAddressKeepsAnswering: an ended page answers with its
// last word, or "expired"; the oldest ended pages are forgotten; an
// unknown address says "expired", never "connection refused".
func TestPagesEndButTheAddressKeepsAnswering(t *testing.T) {
	s := listen(t, t.TempDir())
	p, err := s.Add(text("the form"))
	if err != nil {
		t.Fatal(err)
	}
	if code, body := fetch(t, p.URL()); code != 200 || body != "the form" {
		t.Fatalf("open page: %d %q", code, body)
	}
	p.End(text("done"))
	p.End(text("ignored: a page ends once"))
	if code, body := fetch(t, p.URL()); code != 200 || body != "done" {
		t.Fatalf("ended page: %d %q", code, body)
	}
	q, _ := s.Add(text("other"))
	q.End(nil)
	if code, body := fetch(t, q.URL()); code != 404 || !strings.Contains(body, "This page has expired") {
		t.Fatalf("page ended without a last word: %d %q", code, body)
	}
	for range keepEnded {
		r, _ := s.Add(text("x"))
		r.End(text("x"))
	}
	if code, body := fetch(t, p.URL()); code != 404 || !strings.Contains(body, "This page has expired") {
		t.Fatalf("the oldest ended page is still kept: %d %q", code, body)
	}
	pu, _ := url.Parse(p.URL())
	if code, body := fetch(t, "http://"+pu.Host+"/unknown"); code != 404 || !strings.Contains(body, "This page has expired") {
		t.Fatalf("unknown page: %d %q", code, body)
	}
}

func TestLaunchFile(t *testing.T) {
	// A folder of the user's own left open to others is closed.
	dir := filepath.Join(t.TempDir(), "pages")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	s := listen(t, dir)
	p, _ := s.Add(text("page"))
	launch, err := p.LaunchFile()
	if err != nil {
		t.Fatal(err)
	}
	lu, err := url.Parse(launch)
	if err != nil || lu.Scheme != "file" || filepath.Dir(lu.Path) != dir {
		t.Fatalf("launch address %q", launch)
	}
	for path, want := range map[string]os.FileMode{dir: os.ModeDir | 0o700, lu.Path: 0o600} {
		if fi, err := os.Lstat(path); err != nil || fi.Mode() != want {
			t.Fatalf("%s: %v %v, want %v", path, fi.Mode(), err, want)
		}
	}
	b, _ := os.ReadFile(lu.Path)
	if !strings.Contains(string(b), `<meta http-equiv="refresh" content="0;url=`+p.URL()+`">`) {
		t.Fatalf("launch file:\n%s", b)
	}
	if strings.Contains(launch, strings.TrimPrefix(p.Path(), "/")) {
		t.Fatal("the launch address holds the secret")
	}
	p.End(nil)
	if _, err := os.Stat(lu.Path); !os.IsNotExist(err) {
		t.Fatalf("launch file left after End: %v", err)
	}
	if _, err := p.LaunchFile(); err == nil {
		t.Fatal("a launch file for an ended page")
	}

	// Close removes the files of pages still open.
	q, _ := s.Add(text("page"))
	launch, err = q.LaunchFile()
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	lu, _ = url.Parse(launch)
	if _, err := os.Stat(lu.Path); !os.IsNotExist(err) {
		t.Fatalf("launch file left after Close: %v", err)
	}
}

func TestLaunchFolderThatIsALinkIsRefused(t *testing.T) {
	elsewhere := t.TempDir()
	link := filepath.Join(t.TempDir(), "pages")
	if err := os.Symlink(elsewhere, link); err != nil {
		t.Fatal(err)
	}
	s := listen(t, link)
	p, _ := s.Add(text("page"))
	if _, err := p.LaunchFile(); !errors.Is(err, ErrUnsafeFolder) {
		t.Fatalf("a linked folder: %v", err)
	}
	if entries, _ := os.ReadDir(elsewhere); len(entries) != 0 {
		t.Fatalf("written through the link: %v", entries)
	}
}

func TestDefaultDirIsTheRuntimeFolder(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", "/run/user/1000")
	if d, err := DefaultDir(); err != nil || (d != "/run/user/1000/plextray" && !strings.HasSuffix(d, filepath.Join("plextray", "pages"))) {
		t.Fatalf("DefaultDir() = %q, %v", d, err)
	}
}

// An OnDemand server listens only while a page is open.
func TestOnDemandListensWhileAPageIsOpen(t *testing.T) {
	s := OnDemand(t.TempDir())
	defer s.Close()
	p, err := s.Add(text("one"))
	if err != nil {
		t.Fatal(err)
	}
	q, _ := s.Add(text("two"))
	if code, body := fetch(t, p.URL()); code != 200 || body != "one" {
		t.Fatalf("open page: %d %q", code, body)
	}
	p.End(text("done"))
	if code, body := fetch(t, q.URL()); code != 200 || body != "two" {
		t.Fatalf("the other page, still open: %d %q", code, body)
	}
	q.End(nil)
	if _, err := client.Get(p.URL()); err == nil {
		t.Fatal("still listening with no page open")
	}
	r, err := s.Add(text("three"))
	if err != nil {
		t.Fatal(err)
	}
	if code, body := fetch(t, r.URL()); code != 200 || body != "three" {
		t.Fatalf("a page after a pause: %d %q", code, body)
	}
}
