package refserver_test

import (
	"os/exec"
	"syscall"
)

// dieWithTest has the kernel kill a server when the test binary dies, so
// that a test killed by a timeout or a signal leaves no server running.
func dieWithTest(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
