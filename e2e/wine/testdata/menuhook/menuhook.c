/*
 * menuhook.dll: reads plextray's live tray menu under Wine, for the tests in
 * e2e/wine. Test tooling only; it is never shipped.
 *
 * Wine keeps a menu's items in the memory of the process that made it, so
 * another process cannot read them with GetMenuItemInfoW (real Windows
 * could). This DLL gets itself into the tray's process as a WH_CALLWNDPROC
 * hook: when the tray's menu is about to open (WM_INITMENUPOPUP) the hook,
 * running on the tray's own thread, writes every item of the menu and its
 * submenus to the file named by %MENUHOOK_OUT% (set in the tray's
 * environment). The file's lines are
 *
 *     depth <TAB> id <TAB> flags <TAB> title
 *
 * with flags made of S (separator), D (disabled), C (checked), R (a radio
 * item: MFT_RADIOCHECK), P (has a submenu), or "-". A submenu's items follow their parent with depth + 1.
 * Windows menus have no hidden items: a hidden item is one not in the menu.
 *
 * Entry points for rundll32 (same %MENUHOOK_OUT% in its environment):
 *
 *   rundll32 menuhook.dll,OpenMenu [keys]
 *       installs the hook on the tray's thread, clicks the notification icon
 *       (the message a left click sends), waits up to 20 s for the dump,
 *       then posts keys to the open menu: d down, u up, r right (open a
 *       submenu), e escape, w wait 300 ms. No keys: e (close the menu).
 *   rundll32 menuhook.dll,Keys <keys>
 *       posts keys to the open menu, as above.
 *   rundll32 menuhook.dll,Windows
 *       writes every window (depth, class, rectangle, visible) instead.
 *   rundll32 menuhook.dll,Click <id>
 *       sends the tray WM_COMMAND <id>, what choosing that menu item sends.
 *
 * Exit codes: 0 done, 2 no tray window, 3 hook failed, 4 no dump in time.
 *
 * Build (the tests do this): x86_64-w64-mingw32-gcc -shared -O2
 *   -o menuhook.dll menuhook.c menuhook.def
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>

static HINSTANCE self;

BOOL WINAPI DllMain(HINSTANCE h, DWORD reason, LPVOID reserved)
{
	(void)reserved;
	if (reason == DLL_PROCESS_ATTACH)
		self = h;
	return TRUE;
}

static void put(HANDLE f, const char *s)
{
	DWORD n;
	WriteFile(f, s, (DWORD)strlen(s), &n, NULL);
}

static void dump(HANDLE f, HMENU m, int depth)
{
	int n = GetMenuItemCount(m);
	for (int i = 0; i < n; i++) {
		WCHAR wtitle[512] = {0};
		char title[1536] = {0}, flags[8], line[1700];
		MENUITEMINFOW mi;
		ZeroMemory(&mi, sizeof mi);
		mi.cbSize = sizeof mi;
		mi.fMask = MIIM_ID | MIIM_FTYPE | MIIM_STATE | MIIM_STRING | MIIM_SUBMENU;
		mi.dwTypeData = wtitle;
		mi.cch = 511;
		if (!GetMenuItemInfoW(m, (UINT)i, TRUE, &mi)) {
			snprintf(line, sizeof line, "%d\t0\t!\tGetMenuItemInfoW failed: %lu\n", depth, GetLastError());
			put(f, line);
			continue;
		}
		WideCharToMultiByte(CP_UTF8, 0, wtitle, -1, title, sizeof title - 1, NULL, NULL);
		int k = 0;
		if (mi.fType & MFT_SEPARATOR)
			flags[k++] = 'S';
		if (mi.fState & MFS_DISABLED)
			flags[k++] = 'D';
		if (mi.fState & MFS_CHECKED)
			flags[k++] = 'C';
		if (mi.fType & MFT_RADIOCHECK)
			flags[k++] = 'R';
		if (mi.hSubMenu)
			flags[k++] = 'P';
		if (k == 0)
			flags[k++] = '-';
		flags[k] = 0;
		snprintf(line, sizeof line, "%d\t%u\t%s\t%s\n", depth, mi.wID, flags, title);
		put(f, line);
		if (mi.hSubMenu)
			dump(f, mi.hSubMenu, depth + 1);
	}
}

__declspec(dllexport) LRESULT CALLBACK CallWndProc(int code, WPARAM wp, LPARAM lp)
{
	if (code == HC_ACTION) {
		const CWPSTRUCT *c = (const CWPSTRUCT *)lp;
		WCHAR path[MAX_PATH], tmp[MAX_PATH + 8];
		if (c->message == WM_INITMENUPOPUP && !HIWORD(c->lParam) &&
		    GetEnvironmentVariableW(L"MENUHOOK_OUT", path, MAX_PATH) > 0) {
			lstrcpyW(tmp, path);
			lstrcatW(tmp, L".tmp");
			HANDLE f = CreateFileW(tmp, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
			if (f != INVALID_HANDLE_VALUE) {
				dump(f, (HMENU)c->wParam, 0);
				CloseHandle(f);
				MoveFileExW(tmp, path, MOVEFILE_REPLACE_EXISTING);
			}
		}
	}
	return CallNextHookEx(NULL, code, wp, lp);
}

static HWND trayWindow(void)
{
	return FindWindowW(L"SystrayClass", NULL);
}

static void key(HWND w, WPARAM vk)
{
	PostMessageW(w, WM_KEYDOWN, vk, 1);
	PostMessageW(w, WM_KEYUP, vk, 0xC0000001);
}

static void keys(HWND tray, const char *cmd)
{
	for (const char *k = cmd; *k; k++) {
		switch (*k) {
		case 'd': key(tray, VK_DOWN); break;
		case 'u': key(tray, VK_UP); break;
		case 'r': key(tray, VK_RIGHT); break;
		case 'e': key(tray, VK_ESCAPE); break;
		case 'w': Sleep(300); break;
		}
	}
}

__declspec(dllexport) void CALLBACK OpenMenu(HWND hwnd, HINSTANCE hinst, LPSTR cmd, int show)
{
	(void)hwnd, (void)hinst, (void)show;
	WCHAR path[MAX_PATH];
	HWND tray = trayWindow();
	if (!tray)
		ExitProcess(2);
	if (GetEnvironmentVariableW(L"MENUHOOK_OUT", path, MAX_PATH) == 0)
		ExitProcess(3);
	DeleteFileW(path);
	DWORD tid = GetWindowThreadProcessId(tray, NULL);
	HHOOK hook = SetWindowsHookExW(WH_CALLWNDPROC, CallWndProc, self, tid);
	if (!hook)
		ExitProcess(3);
	/* Where a click on the notification area would leave the pointer: the
	 * menu opens there. */
	SetCursorPos(GetSystemMetrics(SM_CXSCREEN) - 12, GetSystemMetrics(SM_CYSCREEN) - 10);
	PostMessageW(tray, WM_USER + 1, 100, WM_LBUTTONUP);
	int ok = 0;
	for (int i = 0; i < 400; i++) {
		if (GetFileAttributesW(path) != INVALID_FILE_ATTRIBUTES) {
			ok = 1;
			break;
		}
		Sleep(50);
	}
	if (!cmd || !*cmd)
		cmd = "e";
	keys(tray, cmd);
	Sleep(200); /* let the tray's thread take the keys before the hook goes */
	UnhookWindowsHookEx(hook);
	ExitProcess(ok ? 0 : 4);
}

__declspec(dllexport) void CALLBACK Keys(HWND hwnd, HINSTANCE hinst, LPSTR cmd, int show)
{
	(void)hwnd, (void)hinst, (void)show;
	HWND tray = trayWindow();
	if (!tray)
		ExitProcess(2);
	keys(tray, cmd ? cmd : "");
	ExitProcess(0);
}

static HANDLE listFile;

static BOOL CALLBACK listChild(HWND w, LPARAM depth)
{
	WCHAR cls[128] = {0};
	char line[512], c[256] = {0};
	GetClassNameW(w, cls, 127);
	WideCharToMultiByte(CP_UTF8, 0, cls, -1, c, sizeof c - 1, NULL, NULL);
	RECT r;
	GetWindowRect(w, &r);
	snprintf(line, sizeof line, "%d\t%s\t%ld,%ld,%ld,%ld\t%d\n", (int)depth, c, r.left, r.top, r.right, r.bottom, IsWindowVisible(w) ? 1 : 0);
	put(listFile, line);
	EnumChildWindows(w, listChild, depth + 1);
	return TRUE;
}

__declspec(dllexport) void CALLBACK Windows(HWND hwnd, HINSTANCE hinst, LPSTR cmd, int show)
{
	(void)hwnd, (void)hinst, (void)show, (void)cmd;
	WCHAR path[MAX_PATH];
	if (GetEnvironmentVariableW(L"MENUHOOK_OUT", path, MAX_PATH) == 0)
		ExitProcess(3);
	listFile = CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
	EnumWindows(listChild, 0);
	CloseHandle(listFile);
	ExitProcess(0);
}

__declspec(dllexport) void CALLBACK Click(HWND hwnd, HINSTANCE hinst, LPSTR cmd, int show)
{
	(void)hwnd, (void)hinst, (void)show;
	HWND tray = trayWindow();
	if (!tray)
		ExitProcess(2);
	PostMessageW(tray, WM_COMMAND, (WPARAM)strtoul(cmd, NULL, 10), 0);
	ExitProcess(0);
}
