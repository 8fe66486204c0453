package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

const versionUsage = `Usage: sandbox version

Prints the module version the binary was built from ("(devel)" for a build
from a checkout), the VCS revision when the build recorded one (or, for a
build without version control such as the container image's, the revision
its REVISION build argument named), and the Go version and platform.

`

// builtFrom is the revision a build that could not read version control
// was made from, as the linker sets it: the Dockerfile's build, whose
// context leaves .git out, runs go build -ldflags "-X main.builtFrom=REV".
// Empty otherwise. Nothing else sets it.
var builtFrom string

// runVersion is the version verb.
func runVersion(_ context.Context, args []string, std stdio) error {
	fs := verbFlags("version")
	unexpected, err := parseFlags(fs, args, versionUsage, std)
	if err != nil {
		return err
	}
	if len(unexpected) > 0 {
		return usagef("version takes no arguments, got %q", strings.Join(unexpected, " "))
	}
	info, _ := debug.ReadBuildInfo()
	_, err = fmt.Fprintln(std.out, versionLine(info, builtFrom))
	return err
}

// versionLine describes a build: "sandbox v1.2.0 (revision 0123abcd,
// 2026-03-02T09:00:00Z, modified) go1.26.0 linux/amd64". info may be nil
// (a binary built without module support); built is the revision the
// linker recorded (builtFrom), said when info has none.
func versionLine(info *debug.BuildInfo, built string) string {
	version := "(unknown)"
	goVersion := runtime.Version()
	var details []string
	if info != nil {
		if info.Main.Version != "" {
			version = info.Main.Version
		}
		if info.GoVersion != "" {
			goVersion = info.GoVersion
		}
		settings := map[string]string{}
		for _, s := range info.Settings {
			settings[s.Key] = s.Value
		}
		if rev := settings["vcs.revision"]; rev != "" {
			details = append(details, "revision "+rev)
			if t := settings["vcs.time"]; t != "" {
				details = append(details, t)
			}
			if settings["vcs.modified"] == "true" {
				details = append(details, "modified")
			}
		}
	}
	if len(details) == 0 && built != "" {
		details = append(details, "revision "+built)
	}
	line := "sandbox " + version
	if len(details) > 0 {
		line += " (" + strings.Join(details, ", ") + ")"
	}
	return line + " " + goVersion + " " + runtime.GOOS + "/" + runtime.GOARCH
}
