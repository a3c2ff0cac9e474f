package servers

// Table is the server list as a front end keeps it during and between
// checks. Apply costs time in proportion to the changed server's
// connections, never to the whole list; Snapshot copies one pointer per
// block of servers (see block), sharing the blocks with the table until
// the table changes one. Servers are never modified in place: Apply swaps
// in the event's snapshot, so a Snapshot taken earlier stays valid and
// unchanged.
//
// A Table is not safe for concurrent use: keep it in the goroutine that
// owns the state (the core), and hand Snapshots to others.
type Table struct {
	blocks  [][]*Server // server i is blocks[i/block][i%block]
	shared  []bool      // blocks a Snapshot holds: copied before a change
	n       int
	byID    map[string]int
	dirty   []int
	isDirty []bool
	counts  Counts
	version uint64
}

// Counts summarise a Table for an icon or tooltip.
type Counts struct {
	Servers   int // servers listed
	Decided   int // servers whose Best is decided
	Reachable int // decided servers with a Best
	// Unreachable: decided servers plex.tv reports online (Presence) that
	// no connection reaches from here. Servers plex.tv itself reports
	// offline are not counted: they are not this machine's problem.
	Unreachable int
	Done        int // servers with every connection final
}

// block is how many servers share one block of pointers: a Snapshot
// copies len/block pointers, and the first change to a block after a
// Snapshot copies block pointers.
const block = 64

// NewTable starts a table from Plan's list (or a finished check's).
func NewTable(list []Server) *Table {
	nb := (len(list) + block - 1) / block
	t := &Table{
		blocks:  make([][]*Server, nb),
		shared:  make([]bool, nb),
		n:       len(list),
		byID:    make(map[string]int, len(list)),
		isDirty: make([]bool, len(list)),
	}
	all := make([]*Server, len(list))
	for b := range t.blocks {
		t.blocks[b] = all[b*block : min((b+1)*block, len(list)) : min((b+1)*block, len(list))]
	}
	for i := range list {
		s := list[i].clone()
		all[i] = &s
		if s.ClientIdentifier != "" {
			if _, dup := t.byID[s.ClientIdentifier]; !dup {
				t.byID[s.ClientIdentifier] = i
			}
		}
		t.count(&s, 1)
	}
	t.counts.Servers = len(list)
	return t
}

func (t *Table) count(s *Server, sign int) {
	if s.Decided {
		t.counts.Decided += sign
		if s.Best != "" {
			t.counts.Reachable += sign
		} else if s.Presence {
			t.counts.Unreachable += sign
		}
	}
	if s.Done() {
		t.counts.Done += sign
	}
}

// Apply records one event of a check started from the same list (same
// order). It returns the index of the server that changed, or -1 when the
// event does not fit the table (another list). The event's Server becomes
// the table's: don't modify it afterwards.
func (t *Table) Apply(e Event) int {
	i := e.Index
	if i < 0 || i >= t.n || t.at(i).ClientIdentifier != e.Server.ClientIdentifier {
		return -1
	}
	t.count(t.at(i), -1)
	s := e.Server
	b := i / block
	if t.shared[b] {
		t.blocks[b] = append([]*Server(nil), t.blocks[b]...)
		t.shared[b] = false
	}
	t.blocks[b][i%block] = &s
	t.count(&s, 1)
	t.version++
	if !t.isDirty[i] {
		t.isDirty[i] = true
		t.dirty = append(t.dirty, i)
	}
	return i
}

// Dirty returns the indices of servers changed since the last call, in the
// order they first changed, and forgets them: a front end redraws only
// those rows. The slice is the caller's.
func (t *Table) Dirty() []int {
	out := t.dirty
	for _, i := range out {
		t.isDirty[i] = false
	}
	t.dirty = nil
	return out
}

func (t *Table) at(i int) *Server { return t.blocks[i/block][i%block] }

// Len is the number of servers.
func (t *Table) Len() int { return t.n }

// Version counts the changes applied so far.
func (t *Table) Version() uint64 { return t.version }

// Counts summarises the table in O(1).
func (t *Table) Counts() Counts { return t.counts }

// Server returns server i. Its Connections must not be modified.
func (t *Table) Server(i int) Server { return *t.at(i) }

// Index finds a server by clientIdentifier.
func (t *Table) Index(clientIdentifier string) (int, bool) {
	i, ok := t.byID[clientIdentifier]
	return i, ok
}

// Snapshot returns the current list: one pointer copy per block of
// servers, sharing the blocks (and the immutable servers) with the table
// until the table changes them. Later Applies do not change it.
func (t *Table) Snapshot() Snapshot {
	for b := range t.shared {
		t.shared[b] = true
	}
	return Snapshot{blocks: append([][]*Server(nil), t.blocks...), n: t.n, version: t.version}
}

// Snapshot is an immutable view of a Table at one version.
type Snapshot struct {
	blocks  [][]*Server
	n       int
	version uint64
}

// Len is the number of servers.
func (s Snapshot) Len() int { return s.n }

// Version is the Table's Version when the snapshot was taken.
func (s Snapshot) Version() uint64 { return s.version }

// Server returns server i. Its Connections must not be modified.
func (s Snapshot) Server(i int) Server { return *s.blocks[i/block][i%block] }

// List copies the servers out (for output, DNSBlocked).
func (s Snapshot) List() []Server {
	out := make([]Server, 0, s.n)
	for _, b := range s.blocks {
		for _, p := range b {
			out = append(out, *p)
		}
	}
	return out
}
