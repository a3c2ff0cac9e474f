//go:build windows

package netwatch

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"unsafe"

	"golang.org/x/sys/windows"
)

// NativeSources on Windows: NotifyUnicastIpAddressChange (any address
// added, removed or changed) and the resume notification of
// PowerRegisterSuspendResumeNotification (Windows 8 and later; without
// it the periodic timer tells a wake-up by the wall clock's jump). Both
// call back on a system thread: no window of our own, no polling.
func NativeSources(*slog.Logger) []Source {
	return []Source{SourceFunc(runAddrChange), SourceFunc(runResume)}
}

// hub hands a trigger from a Windows callback to every running source of
// one kind (normally one). A callback runs on a system thread and may not
// block; no Go pointer is handed to Windows.
type hub struct {
	mu    sync.Mutex
	chans map[int]chan<- Trigger
	next  int
}

func (h *hub) add(out chan<- Trigger) (remove func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.chans == nil {
		h.chans = map[int]chan<- Trigger{}
	}
	h.next++
	key := h.next
	h.chans[key] = out
	return func() {
		h.mu.Lock()
		delete(h.chans, key)
		h.mu.Unlock()
	}
}

func (h *hub) tell(t Trigger) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, ch := range h.chans {
		select {
		case ch <- t:
		default: // a trigger is waiting; the watcher reads it at once
		}
	}
}

var (
	addrHub hub
	addrCB  = windows.NewCallback(func(ctx, row uintptr, kind uint32) uintptr {
		addrHub.tell(NetworkChanged)
		return 0
	})
)

func runAddrChange(ctx context.Context, out chan<- Trigger) error {
	defer addrHub.add(out)()
	var h windows.Handle
	if err := windows.NotifyUnicastIpAddressChange(windows.AF_UNSPEC, addrCB, nil, false, &h); err != nil {
		return fmt.Errorf("netwatch: NotifyUnicastIpAddressChange: %w", err)
	}
	<-ctx.Done()
	_ = windows.CancelMibChangeNotify2(h)
	return nil
}

// Power notifications (powrprof.dll; winuser.h).
const (
	deviceNotifyCallback   = 2    // DEVICE_NOTIFY_CALLBACK
	pbtAPMResumeSuspend    = 0x7  // PBT_APMRESUMESUSPEND: resumed, a user is present
	pbtAPMResumeAutomatic  = 0x12 // PBT_APMRESUMEAUTOMATIC: resumed
	errorSuccess           = 0
	powerNotifyParamsCount = 2
)

var (
	powrprof              = windows.NewLazySystemDLL("powrprof.dll")
	procPowerRegisterSR   = powrprof.NewProc("PowerRegisterSuspendResumeNotification")
	procPowerUnregisterSR = powrprof.NewProc("PowerUnregisterSuspendResumeNotification")
	resumeHub             hub
	// resumeParams is DEVICE_NOTIFY_SUBSCRIBE_PARAMETERS {Callback,
	// Context}, which Windows may hold on to while registered: a package
	// variable, so it is never moved or freed.
	resumeParams = [powerNotifyParamsCount]uintptr{windows.NewCallback(onPowerEvent), 0}
)

// onPowerEvent is DEVICE_NOTIFY_CALLBACK_ROUTINE(Context, Type, Setting).
func onPowerEvent(context, typ, setting uintptr) uintptr {
	if typ == pbtAPMResumeAutomatic || typ == pbtAPMResumeSuspend {
		resumeHub.tell(Woke)
	}
	return errorSuccess
}

func runResume(ctx context.Context, out chan<- Trigger) error {
	if err := procPowerRegisterSR.Find(); err != nil {
		return fmt.Errorf("netwatch: no resume notification (before Windows 8?): %w", err)
	}
	defer resumeHub.add(out)()
	var h uintptr
	r, _, _ := procPowerRegisterSR.Call(deviceNotifyCallback, uintptr(unsafe.Pointer(&resumeParams)), uintptr(unsafe.Pointer(&h)))
	if r != errorSuccess {
		return fmt.Errorf("netwatch: PowerRegisterSuspendResumeNotification: %w", windows.Errno(r))
	}
	<-ctx.Done()
	procPowerUnregisterSR.Call(h)
	return nil
}
