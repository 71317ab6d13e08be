package pattern

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestExplain(t *testing.T) {
	tests := []struct {
		name, pattern, event, want string
	}{
		{"match", `{"org":"IBM"}`, salesJobJoin, ""},
		{"not one of", `{"org":"IBM"}`, `{"org":"Apple"}`, `field "org": "Apple" is not one of ["IBM"]`},
		{"not one of several", `{"type":["job-join","job-leave"]}`, salesArticle, `field "type": "310" is not one of ["job-join","job-leave"]`},
		{"absent", `{"employee.title":"CEO"}`, salesArticle, `field "employee.title" is absent`},
		{"absent through scalar", `{"org.name":"IBM"}`, salesJobJoin, `field "org.name" is absent`},
		{"first failing field in sorted order", `{"type":"x","org":"y"}`, salesJobJoin, `field "org": "IBM" is not one of ["y"]`},
		{"later field after a match", `{"org":"IBM","type":"job-leave"}`, salesJobJoin, `field "type": "job-join" is not one of ["job-leave"]`},
		{"operator", `{"org":[{"prefix":"Deutsche"}]}`, salesJobJoin, `field "org": "IBM" does not match [{"prefix":"Deutsche"}]`},
		{"wrong type", `{"eid":"12345"}`, newsItem, `field "eid": 12345 is not one of ["12345"]`},
		{"must be absent", `{"employee":[{"exists":false}]}`, salesJobJoin, `field "employee" is present but must be absent`},
		{"object value", `{"loc":"US"}`, `{"loc":{"country":"DE"}}`, `field "loc": {"country":"DE"} is not one of ["US"]`},
		{"object value cut", `{"loc":"US"}`, salesArticle, `field "loc": {"city":"Frankfurt","country":"DE","region":"Europe","state"… is not one of ["US"]`},
		{"array values", `{"entities.type":"place"}`, newsItem, `field "entities.type": none of ["org","org","person"] is one of ["place"]`},
		{"array values operator", `{"entities.relevance":[{"numeric":[">",0.95]}]}`, newsItem, `field "entities.relevance": none of [0.92,0.88,0.41] matches [{"numeric":[">",0.95]}]`},
		{"many values cut", `{"t":"z"}`, `{"t":["a","b","c","d","e","f"]}`, `field "t": none of ["a","b","c","d",…] is one of ["z"]`},
		{"null value", `{"x":"a"}`, `{"x":null}`, `field "x": null is not one of ["a"]`},
		{"long value cut", `{"x":"a"}`, `{"x":"` + "ééééééééééééééééééééééééééééééééééééééééééééé" + `"}`, `field "x": "ééééééééééééééééééééééééééééé… is not one of ["a"]`},
		{"anything-but absent", `{"x":[{"anything-but":"a"}]}`, `{}`, `field "x" is absent`},
		{"anything-but value", `{"x":[{"anything-but":"a"}]}`, `{"x":"a"}`, `field "x": "a" does not match [{"anything-but":"a"}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, reason := MustParse(tt.pattern).Explain(decodeFloat(t, tt.event))
			assert.Equal(t, tt.want == "", ok)
			assert.Equal(t, tt.want, reason)
		})
	}
}
