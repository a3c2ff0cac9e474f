package plextvsim

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

func startPMS(t *testing.T, opts PMSOptions) *PMS {
	t.Helper()
	p, err := StartPMS(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// pmsClient trusts the simulator CA and keeps no idle connections.
func pmsClient(t *testing.T, timeout time.Duration) *http.Client {
	t.Helper()
	pool, err := CACertPool()
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Timeout: timeout, Transport: &http.Transport{
		TLSClientConfig:   &tls.Config{RootCAs: pool},
		DisableKeepAlives: true,
	}}
}

func get(c *http.Client, url string, hdr ...string) (int, string, error) {
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("X-Plex-Client-Identifier", testClientID)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

func TestPMSIdentity(t *testing.T) {
	p := startPMS(t, PMSOptions{Name: "Box", TLS: true, MachineIdentifier: "abc123", Version: "1.41.0.1234-abc"})
	if !strings.HasPrefix(p.URL(), "https://127.0.0.1:") {
		t.Errorf("URL = %s", p.URL())
	}
	c := pmsClient(t, 5*time.Second)

	st, body, err := get(c, p.URL()+"/identity", "Accept", "application/json")
	want := `{"MediaContainer":{"size":0,"claimed":true,"machineIdentifier":"abc123","version":"1.41.0.1234-abc"}}`
	if err != nil || st != 200 || strings.TrimSpace(body) != want {
		t.Errorf("identity JSON: %d %s %v", st, body, err)
	}
	st, body, _ = get(c, p.URL()+"/identity")
	if st != 200 || !strings.Contains(body, `<MediaContainer size="0" claimed="1" machineIdentifier="abc123" version="1.41.0.1234-abc">`) {
		t.Errorf("identity XML: %d %s", st, body)
	}

	p.SetBehavior(PMSBehavior{WrongMachine: true})
	_, body, _ = get(c, p.URL()+"/identity", "Accept", "application/json")
	var id struct {
		MediaContainer struct{ MachineIdentifier string }
	}
	if json.Unmarshal([]byte(body), &id); id.MediaContainer.MachineIdentifier == "" || id.MediaContainer.MachineIdentifier == "abc123" {
		t.Errorf("wrong machine answered %q", id.MediaContainer.MachineIdentifier)
	}

	reqs := p.Requests()
	if len(reqs) != 3 || reqs[0].Path != "/identity" || reqs[0].Header.Get("X-Plex-Client-Identifier") != testClientID || reqs[0].HasToken() || reqs[0].Status != 200 {
		t.Errorf("requests = %+v", reqs)
	}

	// Without the CA the certificate is not trusted.
	var unknown x509.UnknownAuthorityError
	if _, _, err := get(&http.Client{}, p.URL()+"/identity"); !errors.As(err, &unknown) {
		t.Errorf("untrusted client: err = %v, want unknown authority", err)
	}
}

func TestPMSRootNeedsAccessToken(t *testing.T) {
	s := startSim(t, Options{})
	p, err := s.StartPMS(PMSOptions{Name: "Box"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.AddServer(ServerSpec{Name: "Box", Owned: true, Connections: []ConnSpec{{PMS: p, Local: true}}})
	if err != nil {
		t.Fatal(err)
	}
	c := pmsClient(t, 5*time.Second)
	if st, _, _ := get(c, p.URL()+"/"); st != 401 {
		t.Errorf("no token: %d, want 401", st)
	}
	if st, _, _ := get(c, p.URL()+"/", "X-Plex-Token", s.DemoAccount().Token); st != 401 {
		t.Errorf("account token: %d, want 401 (PMS takes the server's accessToken)", st)
	}
	st, body, _ := get(c, p.URL()+"/", "X-Plex-Token", res.AccessToken, "Accept", "application/json")
	if st != 200 || !strings.Contains(body, `"friendlyName":"Box"`) {
		t.Errorf("access token: %d %s", st, body)
	}
	if r := p.Requests()[2]; !r.HasToken() || strings.Contains(r.Header.Get("X-Plex-Token"), res.AccessToken) {
		t.Errorf("logged token header %q", r.Header.Get("X-Plex-Token"))
	}
}

func TestPMSDelay(t *testing.T) {
	p := startPMS(t, PMSOptions{Behavior: PMSBehavior{Delay: 50 * time.Millisecond}})
	start := time.Now()
	if st, _, err := get(pmsClient(t, 5*time.Second), p.URL()+"/identity"); err != nil || st != 200 || time.Since(start) < 50*time.Millisecond {
		t.Errorf("delayed identity: %d %v after %v", st, err, time.Since(start))
	}
}

func TestPMSHangNoLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	p, err := StartPMS(PMSOptions{TLS: true, Behavior: PMSBehavior{Hang: true}})
	if err != nil {
		t.Fatal(err)
	}
	// A client that gives up once its request is in (a short client
	// timeout could expire in the TLS handshake on a busy machine, before
	// any request arrived).
	c := pmsClient(t, 0)
	ctx, cancel := context.WithCancel(context.Background())
	first := make(chan error, 1)
	go func() {
		req, err := http.NewRequestWithContext(ctx, "GET", p.URL()+"/identity", nil)
		if err == nil {
			var resp *http.Response
			if resp, err = c.Do(req); err == nil {
				resp.Body.Close()
			}
		}
		first <- err
	}()
	waitFor(t, "the first request to arrive", func() bool { return len(p.Requests()) == 1 })
	cancel()
	if err := <-first; err == nil {
		t.Fatal("hung PMS answered")
	}
	// A second client never gives up: Close must release it.
	done := make(chan error, 1)
	go func() {
		_, _, err := get(pmsClient(t, 0), p.URL()+"/identity")
		done <- err
	}()
	waitFor(t, "the second request to arrive", func() bool { return len(p.Requests()) == 2 })
	p.Close()
	select {
	case err := <-done:
		if err == nil {
			t.Error("hung request answered after Close")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not release the hung request")
	}
	c.CloseIdleConnections()
	waitFor(t, "goroutines to end", func() bool { return runtime.NumGoroutine() <= before })
}

func TestPMSDownAndUp(t *testing.T) {
	p := startPMS(t, PMSOptions{Name: "Box"})
	c := pmsClient(t, 5*time.Second)
	if st, _, err := get(c, p.URL()+"/identity"); err != nil || st != 200 {
		t.Fatalf("up: %d %v", st, err)
	}
	if err := p.SetBehavior(PMSBehavior{Down: true}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := get(c, p.URL()+"/identity"); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("down: err = %v, want connection refused", err)
	}
	if err := p.SetBehavior(PMSBehavior{}); err != nil {
		t.Fatal(err)
	}
	if st, _, err := get(c, p.URL()+"/identity"); err != nil || st != 200 {
		t.Fatalf("up again: %d %v", st, err)
	}

	// Going down ends a hung request.
	p.SetBehavior(PMSBehavior{Hang: true})
	done := make(chan error, 1)
	go func() { _, _, err := get(pmsClient(t, 0), p.URL()+"/identity"); done <- err }()
	waitFor(t, "the hung request", func() bool { return len(p.Requests()) == 3 })
	p.SetBehavior(PMSBehavior{Down: true})
	select {
	case err := <-done:
		if err == nil {
			t.Error("hung request answered when the PMS went down")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("going down did not end the hung request")
	}

	down := startPMS(t, PMSOptions{Behavior: PMSBehavior{Down: true}})
	if _, _, err := get(c, down.URL()+"/identity"); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("started down: err = %v", err)
	}
	p.Close()
	if err := p.SetBehavior(PMSBehavior{}); err == nil {
		t.Error("SetBehavior after Close succeeded")
	}
}

func TestSimControlsItsPMSs(t *testing.T) {
	s := startSim(t, Options{})
	p, err := s.StartPMS(PMSOptions{Name: "Box"})
	if err != nil {
		t.Fatal(err)
	}
	if st := ctl(t, "PUT", s.URL()+"/_sim/pms", `{"name":"Box","behavior":{"down":true}}`, nil); st != 200 || !p.Behavior().Down {
		t.Fatalf("PUT /_sim/pms: %d %+v", st, p.Behavior())
	}
	var list []pmsJSON
	ctl(t, "GET", s.URL()+"/_sim/pms", "", &list)
	if len(list) != 1 || list[0].URL != p.URL() || !list[0].Behavior.Down {
		t.Errorf("GET /_sim/pms = %+v", list)
	}
	if st := ctl(t, "PUT", s.URL()+"/_sim/pms", `{"name":"Nope","behavior":{}}`, nil); st != 404 {
		t.Errorf("unknown PMS: %d", st)
	}
	ctl(t, "PUT", s.URL()+"/_sim/pms", `{"name":"Box","behavior":{"delay":"10ms"}}`, nil)
	if b := p.Behavior(); b.Down || b.Delay != 10*time.Millisecond {
		t.Errorf("behaviour = %+v", b)
	}
	s.Close()
	if err := p.SetBehavior(PMSBehavior{}); err == nil {
		t.Error("Sim.Close left its PMS open")
	}
}

func TestWriteCACert(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := WriteCACert(path); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	block, _ := pem.Decode(data)
	if block == nil {
		t.Fatal("no PEM block")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil || !cert.IsCA {
		t.Errorf("CA cert: %v, IsCA %v", err, cert != nil && cert.IsCA)
	}
}

func TestDemoServers(t *testing.T) {
	s := startSim(t, Options{})
	if err := s.AddDemoServers(); err != nil {
		t.Fatal(err)
	}
	rs := s.Resources()
	var names []string
	for _, r := range rs {
		names = append(names, r.Name)
	}
	if strings.Join(names, ",") != "Living Room,Dad's Plex,Cabin,Living Room TV" {
		t.Fatalf("demo resources = %q", names)
	}
	living := rs[0]
	// A short timeout only where a hang is expected: a TLS handshake
	// under -race on a busy machine can take longer than 200 ms.
	c, short := pmsClient(t, 10*time.Second), pmsClient(t, 200*time.Millisecond)
	if st, _, err := get(c, living.Connections[0].URI+"/identity"); err != nil || st != 200 {
		t.Errorf("local connection: %d %v", st, err)
	}
	if _, _, err := get(short, living.Connections[1].URI+"/identity"); err == nil {
		t.Error("remote connection answered; want a hang")
	}
	if _, _, err := get(c, living.Connections[2].URI+"/identity"); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("relay: err = %v, want refused", err)
	}
	if rs[1].Owned || !rs[1].Connections[0].Relay || rs[2].Presence || rs[3].AccessToken != "" {
		t.Errorf("demo resources = %+v", rs)
	}
	// The offline Cabin was last seen three days ago, the others now.
	if age := rs[0].LastSeenAt.Sub(rs[2].LastSeenAt); age < 71*time.Hour || age > 73*time.Hour {
		t.Errorf("Cabin last seen %v before Living Room, want 72h", age)
	}
}
