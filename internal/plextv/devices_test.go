package plextv

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestDecodeDevicesFixture(t *testing.T) {
	ds, err := DecodeDevices(readFixture(t, "devices/devices_200.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 3 {
		t.Fatalf("got %d devices", len(ds))
	}
	k := ds[1]
	if k.ID != 480000002 || k.Name != "Kometa (via plextray)" || k.Product != "Kometa (via plextray)" ||
		k.ClientIdentifier != "0b7d9a3e-2f4c-4d1e-8a6b-3c5d7e9f1a23" ||
		!k.CreatedAt.Equal(time.Unix(1764547200, 0)) || !k.LastSeenAt.Equal(time.Unix(1764547200, 0)) {
		t.Errorf("tool device = %+v", k)
	}
	if ds[2].Provides != "server" || ds[2].Platform != "Linux" {
		t.Errorf("server device = %+v", ds[2])
	}
	// The device token is read but never printed, not even by %+v.
	if k.Token.Reveal() != "FxDevTok_kometa_00000000" {
		t.Errorf("token not decoded")
	}
	for _, s := range []string{fmt.Sprintf("%v", k), fmt.Sprintf("%+v", k), fmt.Sprintf("%#v", k)} {
		if strings.Contains(s, "FxDevTok") {
			t.Errorf("a device prints its token: %s", s)
		}
	}
}

func TestDecodeDevicesTolerant(t *testing.T) {
	body := `<?xml version="1.0"?><MediaContainer size="x"><Extra/>
		<Device id="7" clientIdentifier="a" createdAt="soon" lastSeenAt="-5" name="A"><Connection uri="x"/></Device>
		<Device id="nope" clientIdentifier="b"/>
		<Device id="8" name="no client identifier"/>
		<Device id=" 9 " clientIdentifier="c" createdAt="1700000000"/>
	</MediaContainer>`
	ds, err := DecodeDevices([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 2 || ds[0].ID != 7 || !ds[0].CreatedAt.IsZero() || !ds[0].LastSeenAt.IsZero() ||
		ds[1].ID != 9 || ds[1].CreatedAt.Unix() != 1700000000 {
		t.Fatalf("got %+v", ds)
	}
	for _, bad := range []string{``, `{"devices":[]}`, `<html><body>login</body></html>`, `<MediaContainer><Device`} {
		if _, err := DecodeDevices([]byte(bad)); err == nil {
			t.Errorf("DecodeDevices(%q) accepted", bad)
		}
	}
	if ds, err := DecodeDevices([]byte(`<MediaContainer/>`)); err != nil || len(ds) != 0 {
		t.Errorf("empty list: %v %v", ds, err)
	}
}

func TestDecodeClaimFixture(t *testing.T) {
	ct, err := DecodeClaim(readFixture(t, "claim/claim_token_200.json"))
	if err != nil || ct.Reveal() != "claim-FxClaim0000000000000x" {
		t.Fatalf("got %q, %v", ct.Reveal(), err)
	}
	for _, bad := range []string{`{}`, `{"token":null}`, `{"token":7}`, `{"token":""}`, `[]`, `x`,
		`{"token":"claim-\u001b[31mred"}`, `{"token":"claim-a b"}`, `{"token":"claim-$(rm)"}`} {
		if _, err := DecodeClaim([]byte(bad)); err == nil {
			t.Errorf("DecodeClaim(%s) accepted", bad)
		}
	}
}

func TestPrintable(t *testing.T) {
	for tok, want := range map[Token]bool{
		"FxAcctTok_abc-123": true, "claim-xyz": true, "": false, "a b": false, "a\nb": false,
		"a\x1b[0m": false, `a"b`: false, "ä": false, Token(strings.Repeat("a", 513)): false,
	} {
		if tok.Printable() != want {
			t.Errorf("Printable(%q) = %v", tok.Reveal(), !want)
		}
	}
}

func TestDeviceNotFoundClassified(t *testing.T) {
	resp := &http.Response{StatusCode: 404, Header: http.Header{}}
	if err := statusError("delete device", "/devices/7.xml", resp, nil); !errors.Is(err, ErrDeviceNotFound) {
		t.Fatalf("404 on a device: %v", err)
	}
	if err := statusError("devices", "/devices.xml", &http.Response{StatusCode: 401, Header: http.Header{}}, nil); !errors.Is(err, ErrTokenInvalid) {
		t.Fatalf("401 on devices: %v", err)
	}
}

// The devices and claim decoders never panic, never keep a device they
// cannot name, and never accept an unprintable claim token.
func FuzzDecodeDevices(f *testing.F) {
	f.Add(readFixture(f, "devices/devices_200.xml"))
	f.Add([]byte(`<MediaContainer><Device id="1" clientIdentifier="x" createdAt="1"/></MediaContainer>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ds, err := DecodeDevices(b)
		if err != nil {
			return
		}
		for _, d := range ds {
			if d.ID <= 0 || d.ClientIdentifier == "" {
				t.Fatalf("kept %+v", d)
			}
		}
	})
}

func FuzzDecodeClaim(f *testing.F) {
	f.Add(readFixture(f, "claim/claim_token_200.json"))
	f.Add([]byte(`{"token":"claim-\u0007"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ct, err := DecodeClaim(b)
		if err == nil && !ct.Printable() {
			t.Fatalf("accepted %q", ct.Reveal())
		}
	})
}
