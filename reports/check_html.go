package reports

import (
	"cmp"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/wstrigger/wstrigger/contractreport"
	"github.com/wstrigger/wstrigger/docs"
	"github.com/wstrigger/wstrigger/loadresult"
)

//go:embed check_html.tmpl
var checkHTMLText string

var checkHTMLTemplate = template.Must(template.New("check").Funcs(template.FuncMap{
	"us":    usDuration,
	"mean":  usMean,
	"since": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"round": roundDuration,
	"evidence": func(evs []contractreport.Evidence) string {
		return contractreport.FormatEvidence(evs, false)
	},
	"reproducers": reproducers,
	"cite":        htmlCitation,
}).Parse(checkHTMLText))

// htmlGroup is one group of contract checks, failures first.
type htmlGroup struct {
	Name                  string
	Passed, Failed, Skips int
	Results               []contractreport.Result
}

// htmlPage is what the template reads.
type htmlPage struct {
	Title                      string
	Verdict                    string
	Class                      string // of the verdict: pass, warn, fail or interrupted
	Mark                       string // before the verdict: "✔ Passed:", "✘ Failed:", "✘"
	Status                     string // in the page title: passed, failed or interrupted
	ContractNotRun, LoadNotRun string // why a part is missing: "Skipped." or not run
	LoadInterrupted            string // how far an interrupted load run got
	Source                     string
	ConfigText                 string
	Passed                     bool
	MustFailed                 int
	SLOsFailed                 int
	Contract                   *contractreport.Report
	Groups                     []htmlGroup
	Coverage                   htmlCoverage
	Load                       *loadresult.Result
	Latencies                  []latencyRow
	FloorText                  string // the driver floor, when calibrated
	CensoredText               string // the latencies censored at the cut-off, if any
	RejoinsText                string // the reconnect storm, if sessions ended
	ErrorCount                 uint64
	Plots                      []htmlPlot
	Summary                    checkSummary
	Protocol                   []htmlSection // the sections the checks cite
	ProtocolURL                string
}

// htmlCoverage is coverageSummary for the template.
type htmlCoverage struct {
	Statuses, StatusesSeen int
	Messages, MessagesSeen int
	CloseCodes, CloseSeen  int
	Missing, Undeclared    []string
}

type latencyRow struct {
	Name string
	S    loadresult.Summary
}

type htmlPlot struct {
	Title string
	SVG   template.HTML
}

// CheckHTML writes a check run as one self-contained HTML page: inline
// CSS, the plots as inline SVG drawn with gonum/plot, no scripts and
// nothing fetched from the network. It opens with the verdict and a
// summary of the figures that answer it (contract checks passed, failed
// and skipped; the achieved push rate against its target, delivered
// share, push end-to-end p50 and p99, errors and SLOs, each marked by
// the SLOs on it; the driver's warnings), then holds the contract
// results grouped with failures first and their evidence folded, the
// spec coverage, and for the load run its figures, SLOs and plots:
// latency by percentile on a 1/(1-p) axis for every latency kind,
// latency, throughput, subscriptions and errors over time. The page
// depends only on c, so the same result always gives the same page.
func CheckHTML(w io.Writer, c *CheckResult) error {
	o := c.outcome()
	page := htmlPage{Title: c.Title(), Verdict: c.Verdict(), Source: c.Source(), Class: o.htmlClass(), Mark: o.htmlMark(),
		Status: [...]string{"passed", "passed", "failed", "interrupted"}[o],
		Passed: c.Passed(), MustFailed: c.MustFailed(), SLOsFailed: c.SLOsFailed(), Contract: c.Contract, Load: c.Load,
		ContractNotRun: sentence(partNotRun(c, "contract")), LoadNotRun: sentence(partNotRun(c, "load")), Summary: summarize(c)}
	if c.Load != nil && c.Load.Interrupted {
		page.LoadInterrupted = loadInterruptedText(c.Load)
	}
	if c.Contract != nil {
		sections, err := citedSections(c.Contract.Results)
		if err != nil {
			return err
		}
		page.Protocol, page.ProtocolURL = sections, docs.ProtocolURL
		page.Groups = groupResults(c.Contract.Results)
		cov := summarizeCoverage(c.Contract.Coverage)
		page.Coverage = htmlCoverage{
			Statuses: cov.statuses, StatusesSeen: cov.statusesSeen, Messages: cov.messages, MessagesSeen: cov.messagesSeen,
			CloseCodes: cov.closeCodes, CloseSeen: cov.closeSeen, Missing: cov.missing, Undeclared: cov.undeclared,
		}
	}
	if l := c.Load; l != nil {
		page.ConfigText = LoadConfigText(l)
		page.FloorText = FloorText(l.DriverFloor)
		page.CensoredText = CensoredText(&l.Latency)
		page.RejoinsText = RejoinsText(l)
		for _, k := range latencyKinds(&l.Latency) {
			page.Latencies = append(page.Latencies, latencyRow{k.name, k.s})
		}
		for _, e := range l.Errors {
			page.ErrorCount += e.Count
		}
		plots, err := loadPlots(l)
		if err != nil {
			return err
		}
		for _, p := range plots {
			page.Plots = append(page.Plots, htmlPlot{Title: p.Title, SVG: template.HTML(p.SVG)}) //nolint:gosec // drawn by gonum from numbers
		}
	}
	if err := checkHTMLTemplate.Execute(w, page); err != nil {
		return fmt.Errorf("reports: check html: %w", err)
	}
	return nil
}

// sentence is s with a capital first letter and a full stop.
func sentence(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

// groupResults groups results by their group, groups with failures
// first, and within a group failures, then skips, then passes; the
// catalogue's order is kept otherwise.
func groupResults(results []contractreport.Result) []htmlGroup {
	var groups []htmlGroup
	index := map[string]int{}
	for _, r := range results {
		i, ok := index[r.Group]
		if !ok {
			i = len(groups)
			index[r.Group] = i
			groups = append(groups, htmlGroup{Name: r.Group})
		}
		g := &groups[i]
		g.Results = append(g.Results, r)
		switch r.Status {
		case contractreport.StatusFail:
			g.Failed++
		case contractreport.StatusSkip:
			g.Skips++
		default:
			g.Passed++
		}
	}
	rank := map[contractreport.Status]int{contractreport.StatusFail: 0, contractreport.StatusSkip: 1, contractreport.StatusPass: 2}
	for i := range groups {
		slices.SortStableFunc(groups[i].Results, func(a, b contractreport.Result) int { return cmp.Compare(rank[a.Status], rank[b.Status]) })
	}
	slices.SortStableFunc(groups, func(a, b htmlGroup) int { return cmp.Compare(min(b.Failed, 1), min(a.Failed, 1)) })
	return groups
}
