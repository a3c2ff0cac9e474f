package lastcheck

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"testing"
	"testing/synctest"
	"time"

	"github.com/plextray/plextray/internal/servers"
)

func record() Record {
	return Record{
		Account: "0a1b2c3d4e5f6a7b", Network: "net-a", Checked: time.Date(2026, 12, 2, 14, 32, 0, 0, time.UTC),
		Servers: []Server{{Name: "Study", ClientIdentifier: "s-id", Owned: true, URI: "https://10.0.0.2:32400", Class: "local", Protocol: "https", LatencyMs: 1.5, DecidedMs: 3}},
	}
}

func TestWriteReadRemove(t *testing.T) {
	dir := t.TempDir()
	if _, err := Read(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("no record: %v", err)
	}
	r := record()
	if err := Write(dir, r); err != nil {
		t.Fatal(err)
	}
	got, err := Read(dir)
	r.Version = version
	if err != nil || !reflect.DeepEqual(got, r) {
		t.Fatalf("read %+v, %v; want %+v", got, err, r)
	}
	// Only the user may read it (Windows has no such mode bits: the
	// folder's ACL does that there).
	if fi, err := os.Stat(filepath.Join(dir, File)); err != nil || runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, %v", fi.Mode(), err)
	}
	if err := Remove(dir); err != nil {
		t.Fatal(err)
	}
	if err := Remove(dir); err != nil {
		t.Fatalf("removing none: %v", err)
	}
	if _, err := Read(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("removed: %v", err)
	}
}

func TestReadRefusesWhatIsNotARecord(t *testing.T) {
	for name, body := range map[string]string{
		"not json":      "{",
		"other version": `{"version":2,"account":"a","network":"n","checked":"2026-12-02T14:32:00Z"}`,
		"no account":    `{"version":1,"network":"n","checked":"2026-12-02T14:32:00Z"}`,
		"no network":    `{"version":1,"account":"a","checked":"2026-12-02T14:32:00Z"}`,
		"no time":       `{"version":1,"account":"a","network":"n"}`,
	} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, File), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Read(dir); !errors.Is(err, ErrDamaged) {
			t.Errorf("%s: %v, want ErrDamaged", name, err)
		}
	}
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, File), 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(dir); !errors.Is(err, ErrDamaged) {
		t.Errorf("a folder in its place: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	b, _ := os.ReadFile("testdata/lastcheck.json")
	f.Add(b)
	f.Add([]byte(`{"version":1,"account":"a","network":"n","checked":"2026-12-02T14:32:00Z","servers":[{}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := Parse(b)
		if err != nil {
			if !errors.Is(err, ErrDamaged) {
				t.Fatalf("error not ErrDamaged: %v", err)
			}
			return
		}
		if r.Account == "" || r.Network == "" || r.Checked.IsZero() {
			t.Fatalf("accepted %+v", r)
		}
		// Whatever was accepted selects without panicking, and what it
		// selects has a URI only if it may be printed.
		for _, q := range []string{"", "x"} {
			if s, _, err := r.Find(q); err == nil && s.URI != "" && !printableURI(s.URI) {
				t.Fatalf("found URI %q", s.URI)
			}
		}
	})
}

func TestFindDropsURIsNotToPrint(t *testing.T) {
	for _, u := range []string{
		"https://10.0.0.2:32400\x1b[2J", "https://evil\u202e.example", "ftp://10.0.0.2", "https://user:pw@10.0.0.2:32400",
		"https://10.0.0.2:32400/ x", "//10.0.0.2", "not a uri",
	} {
		r := record()
		r.Version = version
		r.Servers[0].URI = u
		b, _ := json.Marshal(r)
		got, err := Parse(b)
		if s, _, ferr := got.Find(""); err != nil || ferr != nil || s.URI != "" {
			t.Errorf("%q: kept %q, %v %v", u, s.URI, err, ferr)
		}
	}
	for _, bad := range []func(*Server){func(s *Server) { s.Class = "nearby" }, func(s *Server) { s.Protocol = "gopher" }} {
		r := record()
		r.Version = version
		bad(&r.Servers[0])
		b, _ := json.Marshal(r)
		got, err := Parse(b)
		if s, _, ferr := got.Find(""); err != nil || ferr != nil || s.URI != "" {
			t.Errorf("kept %+v, %v %v", s, err, ferr)
		}
	}
	r := record()
	r.Version = version
	b, _ := json.Marshal(r)
	got, err := Parse(b)
	if s, _, ferr := got.Find(""); err != nil || ferr != nil || s.URI != r.Servers[0].URI {
		t.Fatalf("a good URI dropped: %+v %v %v", s, err, ferr)
	}
}

func TestParseTheCommittedExample(t *testing.T) {
	b, err := os.ReadFile("testdata/lastcheck.json")
	if err != nil {
		t.Fatal(err)
	}
	r, err := Parse(b)
	if err != nil || len(r.Servers) != 2 || r.Servers[1].URI != "" {
		t.Fatalf("%+v, %v", r, err)
	}
	if s, how, err := r.Find(""); err != nil || how != servers.SelectedFirstOwned || s.Name != "Living Room" || s.URI != r.Servers[0].URI || s.URI == "" {
		t.Fatalf("%+v %v %v", s, how, err)
	}
}

func TestUsable(t *testing.T) {
	r := record()
	now := Now{Account: r.Account, Network: "net-a", Time: r.Checked.Add(5 * time.Minute), MaxAge: 12 * time.Minute, TrayRunning: true}
	if err := r.Usable(now); err != nil {
		t.Fatalf("current check refused: %v", err)
	}
	anyAge := now
	anyAge.Time, anyAge.MaxAge = r.Checked.Add(72*time.Hour), 0
	if err := r.Usable(anyAge); err != nil {
		t.Fatalf("any age: %v", err)
	}
	for _, c := range []struct {
		name   string
		change func(*Now)
		want   error
	}{
		{"no tray", func(n *Now) { n.TrayRunning = false }, ErrNoTray},
		{"signed out", func(n *Now) { n.Account = "" }, ErrOtherAccount},
		{"another account", func(n *Now) { n.Account = "fedcba9876543210" }, ErrOtherAccount},
		{"a profile active", func(n *Now) { n.Profile = "1b2c3d4e5f6a7b8c" }, ErrOtherAccount},
		{"another network", func(n *Now) { n.Network = "net-b" }, ErrOtherNetwork},
		{"no network known", func(n *Now) { n.Network = "" }, ErrOtherNetwork},
		{"too old", func(n *Now) { n.Time = r.Checked.Add(13 * time.Minute) }, ErrTooOld},
		{"from the future", func(n *Now) { n.Time = r.Checked.Add(-2 * time.Minute) }, ErrTooOld},
		{"from the future, any age", func(n *Now) { n.Time, n.MaxAge = r.Checked.Add(-2*time.Minute), 0 }, ErrTooOld},
	} {
		n := now
		c.change(&n)
		if err := r.Usable(n); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
}

func ipnet(s string) net.Addr {
	ip, n, err := net.ParseCIDR(s)
	if err != nil {
		panic(err)
	}
	n.IP = ip
	return n
}

func TestNetworkOf(t *testing.T) {
	home := networkOf([]net.Addr{ipnet("192.168.1.23/24"), ipnet("2001:db8::5/64"), ipnet("127.0.0.1/8"), ipnet("fe80::1/64"), ipnet("::1/128")})
	same := networkOf([]net.Addr{ipnet("2001:db8::5/64"), ipnet("192.168.1.23/24"), ipnet("fe80::99/64"), ipnet("192.168.1.23/24")})
	if home != same {
		t.Fatal("the same addresses in another order, or other loopback and link-local ones, are another network")
	}
	for _, other := range [][]net.Addr{
		{ipnet("192.168.1.23/24")},
		{ipnet("192.168.1.23/24"), ipnet("2001:db8::5/64"), ipnet("10.8.0.2/24")}, // a VPN came up
		{ipnet("192.168.1.23/16"), ipnet("2001:db8::5/64")},
		{ipnet("169.254.10.1/16"), ipnet("192.168.1.23/24"), ipnet("2001:db8::5/64")},
	} {
		if networkOf(other) == home {
			t.Errorf("%v is the same network as home", other)
		}
	}
	if first, again := Network(), Network(); first == "" || first != again {
		t.Fatal("this machine's network has no stable name")
	}
}

func TestTrayLock(t *testing.T) {
	dir := t.TempDir()
	if TrayRunning(dir) {
		t.Fatal("running before any tray")
	}
	release, err := Hold(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !TrayRunning(dir) {
		t.Fatal("not running while held")
	}
	if _, err := Hold(dir); !errors.Is(err, ErrAnotherTray) {
		t.Fatalf("second tray: %v", err)
	}
	release()
	if TrayRunning(dir) {
		t.Fatal("running after release")
	}
	if _, err := os.Stat(filepath.Join(dir, File)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatal("the lock made a record")
	}
}

func TestKeeperWritesTheLatestAndOnlyItsOwn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dir := t.TempDir()
		if err := Write(dir, record()); err != nil { // a crashed tray's
			t.Fatal(err)
		}
		k := NewKeeper(dir, func(msg string, args ...any) { t.Errorf("warned: %s %v", msg, args) })
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() { k.Run(ctx); close(done) }()
		synctest.Wait()
		if _, err := Read(dir); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("an earlier tray's record kept: %v", err)
		}

		first, second := record(), record()
		second.Checked = second.Checked.Add(time.Minute)
		k.Put(first)
		k.Clear()
		k.Put(second)
		synctest.Wait()
		got, err := Read(dir)
		if err != nil || !got.Checked.Equal(second.Checked) {
			t.Fatalf("read %v, %v; want the second record", got.Checked, err)
		}
		k.Clear()
		synctest.Wait()
		if _, err := Read(dir); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("cleared: %v", err)
		}
		k.Put(first)
		synctest.Wait()
		cancel()
		<-done
		if _, err := Read(dir); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("left after the tray stopped: %v", err)
		}
	})
}

func TestFromCheckKeepsOnlyURIsOthersCanUseAsTheyAre(t *testing.T) {
	conn := servers.Connection{URI: "https://10.0.0.2:32400", Protocol: "https", Local: true, Latency: 1500 * time.Microsecond}
	list := []servers.Server{
		{Name: "Best", ClientIdentifier: "a", Owned: true, Decided: true, DecidedAfter: 3 * time.Millisecond, Connections: []servers.Connection{conn}, URI: conn.URI, URIIndex: 0, URIKind: servers.URIBest},
		{Name: "Needs DNS", ClientIdentifier: "b", Decided: true, Connections: []servers.Connection{conn}, URI: conn.URI, URIIndex: 0, URIKind: servers.URINeedsDNS},
		{Name: "Other", ClientIdentifier: "c", Decided: true, Connections: []servers.Connection{conn}, URI: conn.URI, URIIndex: 0, URIKind: servers.URIOther},
		{Name: "Undecided", ClientIdentifier: "d", Connections: []servers.Connection{conn}, URI: conn.URI, URIIndex: 0, URIKind: servers.URIBest},
		{Name: "None", ClientIdentifier: "e", Decided: true, URIIndex: -1},
	}
	got := FromCheck(list)
	want := []Server{
		{Name: "Best", ClientIdentifier: "a", Owned: true, URI: conn.URI, Class: "local", Protocol: "https", LatencyMs: 1.5, DecidedMs: 3},
		{Name: "Needs DNS", ClientIdentifier: "b"},
		{Name: "Other", ClientIdentifier: "c"},
		{Name: "Undecided", ClientIdentifier: "d"},
		{Name: "None", ClientIdentifier: "e"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
	r := Record{Servers: got}
	if s, how, err := r.Find("best"); err != nil || s.URI != conn.URI || how != servers.SelectedByName {
		t.Fatalf("%+v %v %v", s, how, err)
	}
	if _, _, err := r.Find(""); err != nil {
		t.Fatalf("first owned: %v", err)
	}
	var amb *servers.AmbiguousError
	if _, _, err := (Record{Servers: got[1:]}).Find(""); !errors.As(err, &amb) {
		t.Fatalf("several, none owned: %v", err)
	}
}
