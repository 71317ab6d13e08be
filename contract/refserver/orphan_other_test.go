//go:build !linux

package refserver_test

import "os/exec"

// dieWithTest does nothing where the kernel cannot tie a child's life to
// its parent's; the test's cleanup still stops every server it started.
func dieWithTest(*exec.Cmd) {}
