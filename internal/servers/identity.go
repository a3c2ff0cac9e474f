package servers

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// maxIdentityBody bounds the /identity answer we read. A real one is
// about 150 bytes; anything near this is not a Plex identity.
const maxIdentityBody = 64 << 10

// Identity is a PMS /identity answer.
type Identity struct {
	MachineIdentifier string
	Version           string
	Claimed           bool
}

// ErrNoIdentity: the answer is not a Plex identity (no machineIdentifier).
var ErrNoIdentity = errors.New("not a Plex identity")

// ParseIdentity decodes {"MediaContainer":{"machineIdentifier":…}} or its
// XML form <MediaContainer machineIdentifier="…"/>. It fails unless a
// non-empty machineIdentifier is found.
func ParseIdentity(b []byte) (Identity, error) {
	b = bytes.TrimSpace(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))) // UTF-8 BOM
	if len(b) == 0 {
		return Identity{}, fmt.Errorf("%w: empty answer", ErrNoIdentity)
	}
	var id Identity
	var err error
	if b[0] == '<' {
		id, err = parseIdentityXML(b)
	} else {
		id, err = parseIdentityJSON(b)
	}
	if err != nil {
		return Identity{}, err
	}
	id.MachineIdentifier = strings.TrimSpace(id.MachineIdentifier)
	if id.MachineIdentifier == "" {
		return Identity{}, fmt.Errorf("%w: no machineIdentifier", ErrNoIdentity)
	}
	return id, nil
}

func parseIdentityJSON(b []byte) (Identity, error) {
	var env struct {
		MediaContainer *struct {
			MachineIdentifier string          `json:"machineIdentifier"`
			Version           string          `json:"version"`
			Claimed           json.RawMessage `json:"claimed"`
		} `json:"MediaContainer"`
	}
	if err := json.Unmarshal(b, &env); err != nil {
		return Identity{}, fmt.Errorf("%w: %v", ErrNoIdentity, err)
	}
	mc := env.MediaContainer
	if mc == nil {
		return Identity{}, fmt.Errorf("%w: no MediaContainer", ErrNoIdentity)
	}
	return Identity{
		MachineIdentifier: mc.MachineIdentifier,
		Version:           mc.Version,
		Claimed:           truthy(strings.Trim(string(mc.Claimed), `"`)),
	}, nil
}

func parseIdentityXML(b []byte) (Identity, error) {
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return Identity{}, fmt.Errorf("%w: no MediaContainer", ErrNoIdentity)
		}
		if err != nil {
			return Identity{}, fmt.Errorf("%w: %v", ErrNoIdentity, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue // prolog, comments, whitespace
		}
		if se.Name.Local != "MediaContainer" {
			return Identity{}, fmt.Errorf("%w: root element is <%s>", ErrNoIdentity, se.Name.Local)
		}
		var id Identity
		for _, a := range se.Attr {
			switch a.Name.Local {
			case "machineIdentifier":
				id.MachineIdentifier = a.Value
			case "version":
				id.Version = a.Value
			case "claimed":
				id.Claimed = truthy(a.Value)
			}
		}
		return id, nil
	}
}

func truthy(s string) bool { return s == "1" || strings.EqualFold(s, "true") }
