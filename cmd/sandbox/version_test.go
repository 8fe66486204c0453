package main

import (
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestVersionLine(t *testing.T) {
	t.Parallel()
	platform := " " + runtime.GOOS + "/" + runtime.GOARCH
	tests := []struct {
		name  string
		info  *debug.BuildInfo
		built string // builtFrom
		want  string
	}{
		{"no build info", nil, "", "sandbox (unknown) " + runtime.Version() + platform},
		{"go install @version", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v1.2.0"}}, "",
			"sandbox v1.2.0 go1.26.0" + platform},
		{"a checkout with its revision", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123abcd"}, {Key: "vcs.time", Value: "2026-03-02T09:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}, "",
			"sandbox (devel) (revision 0123abcd, 2026-03-02T09:00:00Z, modified) go1.26.0" + platform},
		{"a clean checkout", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v1.2.1-0.20260302090000-0123abcd"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123abcd"}, {Key: "vcs.modified", Value: "false"}}}, "",
			"sandbox v1.2.1-0.20260302090000-0123abcd (revision 0123abcd) go1.26.0" + platform},
		{"the container image's build, without .git", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"}}, "0123abcd",
			"sandbox (devel) (revision 0123abcd) go1.26.0" + platform},
		{"a revision of its own recorded: the build argument is not needed", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123abcd"}}}, "4567ef01",
			"sandbox (devel) (revision 0123abcd) go1.26.0" + platform},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, versionLine(tt.info, tt.built))
		})
	}
}
