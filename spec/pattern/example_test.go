package pattern_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/wstrigger/wstrigger/spec/pattern"
)

func decode(s string) any {
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		panic(err)
	}
	return v
}

func ExampleParse() {
	rule, _ := pattern.Parse("type=job-join|job-leave;org=IBM")
	obj, _ := pattern.Parse(`{"org":["IBM"],"type":["job-leave","job-join"]}`)
	fmt.Println(rule)
	fmt.Println(rule.String() == obj.String())
	// Output:
	// {"org":"IBM","type":["job-join","job-leave"]}
	// true
}

func ExamplePattern_Match() {
	p := pattern.MustParse(`{
		"type": [{"prefix": "job-"}],
		"loc": {"country": ["US", "CA"]},
		"employee.title": [{"wildcard": "*Chief*"}]
	}`)
	event := decode(`{"kind":"sales-trigger","type":"job-join","org":"IBM",
		"loc":{"country":"US","city":"Armonk"},
		"employee":{"name":"Ann Smith","title":"Chief Marketing Officer"}}`)
	fmt.Println(p.Match(event))
	// Output: true
}

func ExamplePattern_Explain() {
	p := pattern.MustParse(`{"type":"310","org":"IBM"}`)
	fmt.Println(p.Explain(decode(`{"type":"310","org":"Apple"}`)))
	fmt.Println(p.Explain(decode(`{"org":"IBM"}`)))
	// Output:
	// false field "org": "Apple" is not one of ["IBM"]
	// false field "type" is absent
}

func ExampleError() {
	_, err := pattern.Parse(`{"employee":{"title":[{"regex":"C.O"}]}}`)
	var perr *pattern.Error
	if errors.As(err, &perr) {
		fmt.Println(perr.Field)
		fmt.Println(err)
	}
	// Output:
	// employee.title
	// pattern: field "employee.title": unknown operator "regex"
}

func ExampleIndex() {
	ix := pattern.NewIndex[string]()
	ix.Add("ibm", pattern.MustParse("org=IBM"))
	ix.Add("joins", pattern.MustParse("type=job-join"))
	ix.Add("banks", pattern.MustParse(`{"org":[{"wildcard":"*Bank*"}]}`))
	ix.Add("all", pattern.MustParse("{}"))

	keys := ix.AppendMatches(nil, decode(`{"type":"job-join","org":"IBM"}`))
	slices.Sort(keys)
	fmt.Println(keys)
	// Output: [all ibm joins]
}
