package servers

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseIdentity(t *testing.T) {
	tests := []struct {
		name, body string
		id         string
		claimed    bool
	}{
		{"json", `{"MediaContainer":{"size":0,"apiVersion":"1.1.1","claimed":true,"machineIdentifier":"` + idA + `","version":"1.41.3.9314"}}`, idA, true},
		{"json claimed string", `{"MediaContainer":{"claimed":"1","machineIdentifier":"x"}}`, "x", true},
		{"json bom and space", "\xef\xbb\xbf  {\"MediaContainer\":{\"machineIdentifier\":\" y \"}}\n", "y", false},
		{"xml", `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<MediaContainer size="0" claimed="1" machineIdentifier="` + idB + `" version="1.41.3"> </MediaContainer>`, idB, true},
		{"xml self-closing", `<MediaContainer machineIdentifier="z"/>`, "z", false},
		{"xml comment first", `<!-- hi --><MediaContainer machineIdentifier="z" claimed="0"/>`, "z", false},
	}
	for _, tt := range tests {
		got, err := ParseIdentity([]byte(tt.body))
		if err != nil || got.MachineIdentifier != tt.id || got.Claimed != tt.claimed {
			t.Errorf("%s: %+v, %v", tt.name, got, err)
		}
	}
	for _, bad := range []string{
		"", "   ", "null", "{}", `{"MediaContainer":null}`, `{"MediaContainer":{}}`,
		`{"MediaContainer":{"machineIdentifier":""}}`, `{"MediaContainer":{"machineIdentifier":5}}`,
		"<html><body>login</body></html>", "<MediaContainer/>", "<MediaContainer", "not json",
		`<?xml version="1.0" encoding="ISO-8859-1"?><MediaContainer machineIdentifier="x"/>`,
	} {
		if got, err := ParseIdentity([]byte(bad)); err == nil || !errors.Is(err, ErrNoIdentity) {
			t.Errorf("%q: %+v, %v; want ErrNoIdentity", bad, got, err)
		}
	}
}

func FuzzParseIdentity(f *testing.F) {
	for _, s := range []string{
		`{"MediaContainer":{"claimed":true,"machineIdentifier":"abc","version":"1"}}`,
		`<MediaContainer machineIdentifier="abc" claimed="1"/>`,
		`<?xml version="1.0"?><MediaContainer machineIdentifier="a&amp;b"/>`,
		`{"MediaContainer":{"machineIdentifier":"\u00e9"}}`,
		"", "<", "{", "\xef\xbb\xbf",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		id, err := ParseIdentity(b)
		if err != nil {
			if !errors.Is(err, ErrNoIdentity) {
				t.Fatalf("error %v does not wrap ErrNoIdentity", err)
			}
			return
		}
		if id.MachineIdentifier == "" || strings.TrimSpace(id.MachineIdentifier) != id.MachineIdentifier {
			t.Fatalf("accepted with machineIdentifier %q", id.MachineIdentifier)
		}
		// What we accept, we accept again when re-encoded as JSON.
		if !utf8.ValidString(id.MachineIdentifier) {
			return
		}
		again, err := json.Marshal(map[string]any{"MediaContainer": map[string]any{"machineIdentifier": id.MachineIdentifier, "claimed": id.Claimed}})
		if err != nil {
			t.Fatal(err)
		}
		id2, err := ParseIdentity(again)
		if err != nil || id2.MachineIdentifier != id.MachineIdentifier || id2.Claimed != id.Claimed {
			t.Fatalf("round trip: %+v %v, want %+v", id2, err, id)
		}
	})
}
