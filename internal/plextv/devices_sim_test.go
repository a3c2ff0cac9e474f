package plextv_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/plextvsim"
)

// A tool's own token, made the way plextray makes one: a PIN created with
// the tool's client identifier, linked with the account's token, read
// back with the tool's identifier.
func TestToolDeviceWithSim(t *testing.T) {
	clock := plextvsim.NewManualClock(time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC))
	sim, err := plextvsim.Start(plextvsim.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sim.Close()
		if vs := sim.Violations(); len(vs) > 0 {
			t.Errorf("the client broke the simulator's rules: %+v", vs)
		}
	})
	c, err := plextv.New(sim.URL(), simInfo)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	acct := plextv.Token(sim.DemoAccount().Token)

	tool, err := c.WithInfo(plextv.Info{Product: "Kometa (via plextray)", DeviceName: "Kometa (via plextray)", ClientIdentifier: "tool-kometa"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Info().ClientIdentifier != simInfo.ClientIdentifier {
		t.Fatal("WithInfo changed the original client")
	}
	pin, err := tool.CreatePIN(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.LinkPIN(ctx, acct, pin.Code); err != nil {
		t.Fatal(err)
	}
	// Only the tool's identifier may read its PIN.
	if _, err := c.CheckPIN(ctx, pin.ID); !errors.Is(err, plextv.ErrPINExpired) {
		t.Fatalf("plextray's identifier read the tool's PIN: %v", err)
	}
	got, err := tool.CheckPIN(ctx, pin.ID)
	if err != nil || !got.Linked() {
		t.Fatalf("tool PIN = %+v, %v", got, err)
	}
	toolTok := got.AuthToken
	if toolTok == acct {
		t.Fatal("the tool got the account's token")
	}
	if err := c.Ping(ctx, toolTok); err != nil {
		t.Fatalf("plex.tv does not accept the tool's token: %v", err)
	}

	ds, err := c.Devices(ctx, acct)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || ds[0].ClientIdentifier != "tool-kometa" || ds[0].Product != "Kometa (via plextray)" ||
		!ds[0].CreatedAt.Equal(clock.Now()) || ds[0].ID <= 0 {
		t.Fatalf("devices = %+v", ds)
	}
	if err := c.DeleteDevice(ctx, acct, ds[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := c.Ping(ctx, toolTok); !errors.Is(err, plextv.ErrTokenInvalid) {
		t.Fatalf("the deleted device's token still works: %v", err)
	}
	if err := c.Ping(ctx, acct); err != nil {
		t.Fatalf("deleting the tool broke the account's token: %v", err)
	}
	if err := c.DeleteDevice(ctx, acct, ds[0].ID); !errors.Is(err, plextv.ErrDeviceNotFound) {
		t.Fatalf("deleting it again: %v", err)
	}

	ct, err := c.ClaimToken(ctx, acct)
	if err != nil || !strings.HasPrefix(ct.Reveal(), "claim-") || !sim.ClaimTokenValid(ct.Reveal()) {
		t.Fatalf("claim token %v, %v", ct.Reveal(), err)
	}

	// Every call sent the token in the header only.
	for _, r := range sim.Requests() {
		if strings.Contains(r.Query, "Token") || strings.Contains(r.Path, string(acct)) {
			t.Errorf("token in the URL: %+v", r)
		}
	}
}

func TestToolCallsFaults(t *testing.T) {
	sim, c := startSim(t, plextvsim.Options{})
	ctx := context.Background()
	acct := plextv.Token(sim.DemoAccount().Token)

	if err := c.LinkPIN(ctx, acct, "ZZZZ"); !errors.Is(err, plextv.ErrPINExpired) {
		t.Errorf("linking an unknown code: %v", err)
	}
	if err := c.LinkPIN(ctx, acct, "a b"); err == nil {
		t.Error("a code with a space was sent")
	}
	for _, call := range []func(plextv.Token) error{
		func(tok plextv.Token) error { _, err := c.Devices(ctx, tok); return err },
		func(tok plextv.Token) error { return c.DeleteDevice(ctx, tok, 5) },
		func(tok plextv.Token) error { _, err := c.ClaimToken(ctx, tok); return err },
		func(tok plextv.Token) error { return c.Ping(ctx, tok) },
		func(tok plextv.Token) error { return c.LinkPIN(ctx, tok, "ABCD") },
	} {
		if err := call("revoked"); !errors.Is(err, plextv.ErrTokenInvalid) {
			t.Errorf("bad token: %v", err)
		}
		if err := call(""); !errors.Is(err, plextv.ErrTokenInvalid) {
			t.Errorf("no token: %v", err)
		}
	}

	for _, f := range []struct {
		fault plextvsim.Fault
		check func(error) bool
	}{
		{plextvsim.Fault{Endpoint: plextvsim.EndpointDevices, Status: 503}, plextv.IsTransient},
		{plextvsim.Fault{Endpoint: plextvsim.EndpointDevices, Body: plextvsim.BodyHTML}, plextv.IsTransient},
		{plextvsim.Fault{Endpoint: plextvsim.EndpointDevices, Body: plextvsim.BodyOversized, Size: 9 << 20}, plextv.IsTransient},
		{plextvsim.Fault{Endpoint: plextvsim.EndpointClaim, Body: plextvsim.BodyTruncated}, plextv.IsTransient},
		{plextvsim.Fault{Endpoint: plextvsim.EndpointClaim, Status: 429}, func(err error) bool { return errors.Is(err, plextv.ErrRateLimited) }},
	} {
		f.fault.Count = 1
		if err := sim.AddFault(f.fault); err != nil {
			t.Fatal(err)
		}
		var err error
		if f.fault.Endpoint == plextvsim.EndpointDevices {
			_, err = c.Devices(ctx, acct)
		} else {
			_, err = c.ClaimToken(ctx, acct)
		}
		if err == nil || !f.check(err) {
			t.Errorf("%+v: %v", f.fault, err)
		}
		if strings.Contains(err.Error(), string(acct)) {
			t.Errorf("the error names the token: %v", err)
		}
	}
}
