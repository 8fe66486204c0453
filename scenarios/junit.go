package scenarios

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
}

// junitSkipped marks a scenario that did not run.
type junitSkipped struct {
	Message string `xml:"message,attr"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes a report as JUnit XML: one <testcase> per scenario,
// named after it, with the failing step and its diff in <failure>, and
// <skipped> for one an interrupted run did not start.
func WriteJUnit(w io.Writer, rep *Report) error {
	suite := junitSuite{Name: "sandbox test", Tests: len(rep.Results), Failures: rep.Failed, Skipped: rep.NotRun, Time: seconds(rep.Duration.Seconds())}
	for _, r := range rep.Results {
		name := r.Name
		if name == "" {
			name = r.File
		}
		c := junitCase{Name: name, Classname: strings.TrimSuffix(strings.TrimSuffix(r.File, ".yaml"), ".yml"), File: r.File, Time: seconds(r.Duration.Seconds())}
		if r.NotRun {
			c.Skipped = &junitSkipped{Message: "not run: " + notRunWhy}
		}
		if f := r.Failure; f != nil {
			text := f.Where(r.File) + "\n" + f.Message
			if f.Detail != "" {
				text += "\n" + f.Detail
			}
			c.Failure = &junitFailure{Message: f.Where(r.File) + ": " + f.Message, Type: failureType(f), Text: text}
		}
		suite.Cases = append(suite.Cases, c)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(junitSuites{Suites: []junitSuite{suite}}); err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func failureType(f *Failure) string {
	if f.Step.Number == 0 {
		return "setup"
	}
	return f.Step.Kind
}

func seconds(s float64) string { return fmt.Sprintf("%.3f", s) }
