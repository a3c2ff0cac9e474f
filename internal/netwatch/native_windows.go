//go:build windows

package netwatch

import (
	"context"
	"fmt"
	"sync"

	"golang.org/x/sys/windows"
)

// NativeSources on Windows: NotifyUnicastIpAddressChange (any address
// added, removed or changed). Wake is detected by the wall-clock jump.
func NativeSources() []Source { return []Source{SourceFunc(runAddrChange)} }

// The callback runs on a system thread and may not block. It tells every
// running source (normally one); no Go pointer is handed to Windows.
var (
	addrMu    sync.Mutex
	addrChans = map[int]chan<- Trigger{}
	addrNext  int
	addrCB    = windows.NewCallback(func(ctx, row uintptr, kind uint32) uintptr {
		addrMu.Lock()
		defer addrMu.Unlock()
		for _, ch := range addrChans {
			select {
			case ch <- NetworkChanged:
			default:
			}
		}
		return 0
	})
)

func runAddrChange(ctx context.Context, out chan<- Trigger) error {
	addrMu.Lock()
	addrNext++
	key := addrNext
	addrChans[key] = out
	addrMu.Unlock()
	defer func() {
		addrMu.Lock()
		delete(addrChans, key)
		addrMu.Unlock()
	}()
	var h windows.Handle
	if err := windows.NotifyUnicastIpAddressChange(windows.AF_UNSPEC, addrCB, nil, false, &h); err != nil {
		return fmt.Errorf("netwatch: NotifyUnicastIpAddressChange: %w", err)
	}
	<-ctx.Done()
	_ = windows.CancelMibChangeNotify2(h)
	return nil
}
