package home

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/gofrs/flock"
	"github.com/plextray/plextray/internal/plextv"
)

// StateFile is the file in the config folder that remembers the signed-in
// account and each account's profiles.
const StateFile = "profiles.json"

// Active names the active profile: nothing secret, only what is needed to
// find its token (keychain.ProfileEntry) and to say whose token it is.
// Title came from plex.tv: show it through textsafe.
type Active struct {
	UUID  string `json:"uuid"`
	Title string `json:"title"`
}

// State is what the config folder remembers about one account's profiles:
// which one is active (nil: the account's own token), and which profiles
// have a token in the keychain (where the keychain cannot be searched,
// signing out removes the ones listed here).
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

// IsActive reports whether profile uuid's token is the active one; admin
// says the profile is the Home's admin, whose token is the account's own.
func (st State) IsActive(uuid string, admin bool) bool {
	if st.Active == nil {
		return admin
	}
	return st.Active.UUID == uuid
}

func (st State) empty() bool { return st.Active == nil && len(st.Stored) == 0 }

// File is the whole of profiles.json: which plex.tv account is signed in
// (its uuid; "" for none, or one plex.tv has not confirmed yet) and, by
// account uuid, each account's profile state. One account is signed in
// at a time today; the records are keyed by account so that keeping
// several changes nothing stored.
type File struct {
	Account  string           `json:"account,omitempty"`
	Accounts map[string]State `json:"accounts,omitempty"`
}

// For is account's profile state (the zero State when there is none).
func (f File) For(account string) State { return f.Accounts[account] }

// Set replaces account's profile state.
func (f *File) Set(account string, st State) {
	if st.empty() {
		delete(f.Accounts, account)
		return
	}
	if f.Accounts == nil {
		f.Accounts = map[string]State{}
	}
	f.Accounts[account] = st
}

// Change changes account's profile state with change.
func (f *File) Change(account string, change func(*State)) {
	st := f.For(account)
	st.Stored = slices.Clone(st.Stored)
	change(&st)
	f.Set(account, st)
}

// Move gives the records of account from to account to (what was kept
// before plex.tv confirmed whose token it was), merged with to's own.
func (f *File) Move(from, to string) {
	if from == to {
		return
	}
	src := f.For(from)
	f.Change(to, func(st *State) {
		if st.Active == nil {
			st.Active = src.Active
		}
		for _, u := range src.Stored {
			st.Kept(u)
		}
	})
	delete(f.Accounts, from)
	if f.Account == from {
		f.Account = to
	}
}

func (f File) empty() bool { return f.Account == "" && len(f.Accounts) == 0 }

// onDisk is profiles.json as written; "active" and "stored" at the top
// are the one-account form of earlier versions (the unconfirmed account's).
type onDisk struct {
	File
	Active *Active  `json:"active,omitempty"`
	Stored []string `json:"stored,omitempty"`
}

func (f File) validate() error {
	if f.Account != "" && !plextv.ValidUUID(f.Account) {
		return fmt.Errorf("%q is not an account uuid", f.Account)
	}
	for acct, st := range f.Accounts {
		if acct != "" && !plextv.ValidUUID(acct) {
			return fmt.Errorf("%q is not an account uuid", acct)
		}
		if st.Active != nil && !plextv.ValidUUID(st.Active.UUID) {
			return fmt.Errorf("%q is not a profile uuid", st.Active.UUID)
		}
		for _, u := range st.Stored {
			if !plextv.ValidUUID(u) {
				return fmt.Errorf("%q is not a profile uuid", u)
			}
		}
	}
	return nil
}

// ErrDamaged: profiles.json does not hold a valid state. Readers go on
// with the zero File; the next Update sets the file aside.
var ErrDamaged = errors.New("profiles.json is damaged")

// maxFile bounds what is read of profiles.json.
const maxFile = 64 << 10

// Load reads profiles.json from dir; no file is the zero File. A damaged
// file gives the zero File and an error matching ErrDamaged; other errors
// (an unreadable folder) also come with the zero File, so that no reader
// is ever blocked by the file: the keychain holds the tokens.
func Load(dir string) (File, error) {
	path := filepath.Join(dir, StateFile)
	// Only a regular file is opened: a FIFO or a device in its place
	// would block or never end.
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return File{}, nil
	}
	if err != nil {
		return File{}, fmt.Errorf("reading the profile state: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return File{}, fmt.Errorf("reading the profile state: %w: not a regular file", ErrDamaged)
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return File{}, nil
	}
	if err != nil {
		return File{}, fmt.Errorf("reading the profile state: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxFile+1))
	if err != nil {
		return File{}, fmt.Errorf("reading the profile state: %w", err)
	}
	if len(b) > maxFile {
		return File{}, fmt.Errorf("reading the profile state: %w: too large", ErrDamaged)
	}
	return parse(b)
}

func parse(b []byte) (File, error) {
	var d onDisk
	if err := json.Unmarshal(b, &d); err != nil {
		return File{}, fmt.Errorf("reading the profile state: %w: %v", ErrDamaged, err)
	}
	f := d.File
	if d.Active != nil || len(d.Stored) > 0 {
		f.Change("", func(st *State) {
			if st.Active == nil {
				st.Active = d.Active
			}
			for _, u := range d.Stored {
				st.Kept(u)
			}
		})
	}
	if err := f.validate(); err != nil {
		return File{}, fmt.Errorf("reading the profile state: %w: %v", ErrDamaged, err)
	}
	for acct, st := range f.Accounts {
		if st.empty() {
			delete(f.Accounts, acct)
		}
	}
	return f, nil
}

// LockTimeout bounds how long Update waits for another process's change.
const LockTimeout = 10 * time.Second

// Update changes profiles.json in dir with change: read, change, write,
// holding an advisory lock on profiles.json.lock, so that no other
// Update, in this process or another, comes in between and two changes
// made at once never lose one another. A damaged file is set aside as
// profiles.json.damaged-<time>-<random> (aside says where) and the change
// starts from the zero File.
func Update(ctx context.Context, dir string, change func(*File)) (aside string, err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("saving the profile state: %w", err)
	}
	lock := flock.New(filepath.Join(dir, StateFile+".lock"))
	lctx, cancel := context.WithTimeout(ctx, LockTimeout)
	defer cancel()
	ok, err := lock.TryLockContext(lctx, 20*time.Millisecond)
	if err != nil || !ok {
		return "", fmt.Errorf("saving the profile state: waiting for another plextray to finish writing it: %w", errors.Join(err, lctx.Err()))
	}
	defer lock.Unlock()
	f, err := Load(dir)
	if errors.Is(err, ErrDamaged) {
		path := filepath.Join(dir, StateFile)
		aside = fmt.Sprintf("%s.damaged-%s-%s", path, time.Now().UTC().Format("20060102T150405Z"), rand.Text()[:6])
		if rerr := os.Rename(path, aside); rerr != nil {
			return "", fmt.Errorf("setting the damaged profile state aside: %w", rerr)
		}
	} else if err != nil {
		return "", err
	}
	change(&f)
	return aside, save(dir, f)
}

// save writes f to dir, replacing the file whole (write, then rename) so
// a reader never sees half of it. The zero File removes the file.
func save(dir string, f File) error {
	if err := f.validate(); err != nil {
		return fmt.Errorf("saving the profile state: %w", err)
	}
	path := filepath.Join(dir, StateFile)
	if f.empty() {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("saving the profile state: %w", err)
		}
		return nil
	}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return fmt.Errorf("saving the profile state: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "."+StateFile+"-*")
	if err != nil {
		return fmt.Errorf("saving the profile state: %w", err)
	}
	_, werr := tmp.Write(append(b, '\n'))
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("saving the profile state: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("saving the profile state: %w", err)
	}
	return nil
}
