package home

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sync"
)

// StateFile is the file in the config folder that remembers the profiles.
const StateFile = "profiles.json"

// Active names the active profile: nothing secret, only what is needed to
// find its token (ProfileAccount(UUID)) and to say whose token it is.
// Title came from plex.tv: show it through textsafe.
type Active struct {
	UUID  string `json:"uuid"`
	Title string `json:"title"`
}

// State is what the config folder remembers about profiles: which one is
// active (nil: the account's own token), and which profiles have a token
// in the keychain, so that signing out can remove every one of them (the
// keychain cannot be listed).
type State struct {
	Active *Active  `json:"active,omitempty"`
	Stored []string `json:"stored,omitempty"` // profile uuids
}

// Switched records a switch to a: it is active and its token is stored.
func (st *State) Switched(a Active) {
	st.Active = &a
	st.Kept(a.UUID)
}

// Kept records that the profile uuid has a token in the keychain.
func (st *State) Kept(uuid string) {
	if !slices.Contains(st.Stored, uuid) {
		st.Stored = append(st.Stored, uuid)
	}
}

// Forget records that the profile uuid's token is gone (revoked, removed);
// if it was active, the account's own token is active again.
func (st *State) Forget(uuid string) {
	st.Stored = slices.DeleteFunc(st.Stored, func(s string) bool { return s == uuid })
	if st.Active != nil && st.Active.UUID == uuid {
		st.Active = nil
	}
}

var uuidRE = regexp.MustCompile(`^[A-Za-z0-9]{1,64}$`)

func (st State) validate() error {
	if st.Active != nil && !uuidRE.MatchString(st.Active.UUID) {
		return fmt.Errorf("%q is not a profile uuid", st.Active.UUID)
	}
	for _, u := range st.Stored {
		if !uuidRE.MatchString(u) {
			return fmt.Errorf("%q is not a profile uuid", u)
		}
	}
	return nil
}

// LoadState reads the state from dir; no file is the zero State (the
// account's own token active, no profile token stored). A file that does
// not hold a valid state is an error; saving a new state replaces it.
func LoadState(dir string) (State, error) {
	b, err := os.ReadFile(filepath.Join(dir, StateFile))
	if errors.Is(err, fs.ErrNotExist) {
		return State{}, nil
	}
	if err != nil {
		return State{}, fmt.Errorf("reading the profile state: %w", err)
	}
	if len(b) > 64<<10 {
		return State{}, errors.New("reading the profile state: file too large")
	}
	var st State
	if err := json.Unmarshal(b, &st); err != nil {
		return State{}, fmt.Errorf("reading the profile state: %w", err)
	}
	if err := st.validate(); err != nil {
		return State{}, fmt.Errorf("reading the profile state: %w", err)
	}
	return st, nil
}

// updating serialises Update within this process.
var updating sync.Mutex

// Update changes the state in dir with change: read, change, write, with
// no other Update of this process in between, so that two changes made at
// once never lose one another. A file that does not hold a valid state is
// replaced, starting from the zero State.
func Update(dir string, change func(*State)) error {
	updating.Lock()
	defer updating.Unlock()
	st, err := LoadState(dir)
	if err != nil {
		st = State{}
	}
	change(&st)
	return SaveState(dir, st)
}

// SaveState writes st to dir (created if missing), replacing the file
// whole (write, then rename) so a reader never sees half of it. The zero
// State removes the file.
func SaveState(dir string, st State) error {
	if err := st.validate(); err != nil {
		return fmt.Errorf("saving the profile state: %w", err)
	}
	path := filepath.Join(dir, StateFile)
	if st.Active == nil && len(st.Stored) == 0 {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("saving the profile state: %w", err)
		}
		return nil
	}
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("saving the profile state: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("saving the profile state: %w", err)
	}
	f, err := os.CreateTemp(dir, "."+StateFile+"-*")
	if err != nil {
		return fmt.Errorf("saving the profile state: %w", err)
	}
	tmp := f.Name()
	_, werr := f.Write(append(b, '\n'))
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("saving the profile state: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("saving the profile state: %w", err)
	}
	return nil
}
