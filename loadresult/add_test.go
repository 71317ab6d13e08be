package loadresult

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rule is how one field of a figure type adds up. A field no rule names
// must add up (sum): a field added to a type and left out of its Add
// fails TestAddMergesEveryField.
type rule int

const (
	sum      rule = iota // a + b
	larger               // max(a, b)
	kept                 // the receiver's, or the other's when the receiver is zero
	appended             // the other's elements after the receiver's
	derived              // computed again from the sums: checked by the case
	nested               // a figure type of its own, with its own case
	merged               // a map of counts: each key's counts add up
)

// addCases are the figure types and their rules.
var addCases = []struct {
	name  string
	zero  any
	rules map[string]rule
	check func(t *testing.T, got any) // the derived fields
}{
	{name: "SubscriptionFigures", zero: SubscriptionFigures{}, rules: map[string]rule{"JoinSeconds": larger, "TriggersPerSubscription": appended}},
	{name: "Pushes", zero: Pushes{}, rules: map[string]rule{"MaxSendLagUs": larger}},
	{name: "Delivery", zero: Delivery{}, rules: map[string]rule{"DeliveredPercent": derived, "InvariantHolds": derived, "Invariant": derived},
		check: func(t *testing.T, got any) {
			d := got.(Delivery)
			want := d
			want.SetInvariant(d.Accepted)
			assert.Equal(t, want, d, "the invariant of the sums")
		}},
	{name: "Memory", zero: Memory{}, rules: map[string]rule{"Source": derived},
		check: func(t *testing.T, got any) {
			assert.Equal(t, "mixed", got.(Memory).Source, "measured differently")
		}},
	{name: "DriverHealth", zero: DriverHealth{}, rules: map[string]rule{
		"MaxCPUPercent": larger, "MaxSchedLatencyP99Us": larger, "MaxGCPauseUs": larger, "BusySeconds": larger,
		"MemoryPerSubscriptionBytes": derived, "Memory": nested, "Warnings": appended,
	}, check: func(t *testing.T, got any) {
		assert.Zero(t, got.(DriverHealth).MemoryPerSubscriptionBytes, "no memory held")
	}},
	{name: "Interval", zero: Interval{}, rules: map[string]rule{
		"T": kept, "Phase": kept, "Seconds": larger, "DriverCPU": larger, "SchedP99Us": larger, "GCPauseMaxUs": larger, "Latency": nested,
	}},
	{name: "DriverFloor", zero: DriverFloor{}, rules: map[string]rule{"Seconds": larger, "EndToEnd": nested, "Service": nested}},
	{name: "Rejoins", zero: Rejoins{}, rules: map[string]rule{"Closes": merged, "Time": nested}},
	{name: "ErrorClass", zero: ErrorClass{}, rules: map[string]rule{"Kind": kept, "Key": kept, "Examples": appended}},
}

// TestAddMergesEveryField fills every field of each figure type with
// distinct non-zero values, b's above a's, adds them both ways and
// onto a zero value, and checks each field by its rule.
func TestAddMergesEveryField(t *testing.T) {
	t.Parallel()
	for _, tc := range addCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			typ := reflect.TypeOf(tc.zero)
			a, b := filled(t, typ, 1, tc.rules), filled(t, typ, 2, tc.rules)
			for _, order := range []struct {
				name     string
				from, to reflect.Value
			}{{"a+b", a, b}, {"b+a", b, a}, {"0+b", reflect.Zero(typ), b}} {
				got := add(t, order.from, order.to)
				for i := range typ.NumField() {
					f := typ.Field(i)
					checkField(t, order.name+" "+f.Name, tc.rules[f.Name], got.Field(i), order.from.Field(i), order.to.Field(i))
				}
				if tc.check != nil && order.name != "0+b" {
					tc.check(t, got.Interface())
				}
			}
		})
	}
}

// add returns from.Add(to) of a copy of from.
func add(t *testing.T, from, to reflect.Value) reflect.Value {
	t.Helper()
	p := reflect.New(from.Type())
	p.Elem().Set(from)
	out := p.MethodByName("Add").Call([]reflect.Value{to})
	if len(out) == 1 && !out[0].IsNil() {
		require.NoError(t, out[0].Interface().(error))
	}
	return p.Elem()
}

// filled is a value of typ with every field but the nested ones set:
// numbers to 10·(field+1)+seed, strings to their name and seed, slices
// to one such element.
func filled(t *testing.T, typ reflect.Type, seed int, rules map[string]rule) reflect.Value {
	t.Helper()
	v := reflect.New(typ).Elem()
	for i := range typ.NumField() {
		if rules[typ.Field(i).Name] == nested {
			continue
		}
		n := 10*(i+1) + seed
		f := v.Field(i)
		if f.Kind() == reflect.Map { // two keys, one of them shared by every seed
			m := reflect.MakeMap(f.Type())
			for _, k := range []int{1000, 1000 + seed} {
				e := reflect.New(f.Type().Elem()).Elem()
				e.SetUint(uint64(n))
				m.SetMapIndex(reflect.ValueOf(k).Convert(f.Type().Key()), e)
			}
			f.Set(m)
			continue
		}
		if f.Kind() == reflect.Slice {
			f.Set(reflect.MakeSlice(f.Type(), 1, 1))
			f = f.Index(0)
		}
		switch f.Kind() {
		case reflect.Int, reflect.Int64:
			f.SetInt(int64(n))
		case reflect.Uint64:
			f.SetUint(uint64(n))
		case reflect.Float64:
			f.SetFloat(float64(n))
		case reflect.String:
			f.SetString(fmt.Sprintf("%s%d", typ.Field(i).Name, seed))
		case reflect.Bool:
			f.SetBool(seed == 2)
		default:
			t.Fatalf("%s.%s: a %v: teach filled to fill it", typ.Name(), typ.Field(i).Name, f.Kind())
		}
	}
	return v
}

// checkField checks one field of got = a.Add(b) by its rule.
func checkField(t *testing.T, name string, r rule, got, a, b reflect.Value) {
	t.Helper()
	zeroA := a.IsZero()
	switch r {
	case sum:
		require.True(t, isNumber(got), "%s: no rule for a %v field, and it cannot add up", name, got.Kind())
		assert.InDelta(t, number(a)+number(b), number(got), 1e-9, "%s: not added up", name)
	case larger:
		assert.InDelta(t, max(number(a), number(b)), number(got), 1e-9, "%s: not the larger", name)
	case kept:
		want := a
		if zeroA {
			want = b
		}
		assert.Equal(t, want.Interface(), got.Interface(), "%s: not kept", name)
	case appended:
		assert.Equal(t, a.Len()+b.Len(), got.Len(), "%s: not appended", name)
	case merged:
		keys := map[any]bool{}
		for _, m := range []reflect.Value{a, b} {
			for _, k := range m.MapKeys() {
				keys[k.Interface()] = true
			}
		}
		require.Equal(t, len(keys), got.Len(), "%s: not every key", name)
		for k := range keys {
			kv := reflect.ValueOf(k)
			var want uint64
			for _, m := range []reflect.Value{a, b} {
				if e := m.MapIndex(kv); e.IsValid() {
					want += e.Uint()
				}
			}
			assert.Equal(t, want, got.MapIndex(kv).Uint(), "%s[%v]: not added up", name, k)
		}
	}
}

func isNumber(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Int, reflect.Int64, reflect.Uint64, reflect.Float64:
		return true
	}
	return false
}

func number(v reflect.Value) float64 {
	switch v.Kind() {
	case reflect.Int, reflect.Int64:
		return float64(v.Int())
	case reflect.Uint64:
		return float64(v.Uint())
	}
	return v.Float()
}

// TestLatenciesAddMergesEveryKind gives each latency kind of a and b a
// histogram of its own size: every kind of the sum counts both.
func TestLatenciesAddMergesEveryKind(t *testing.T) {
	t.Parallel()
	fill := func(seed int) Latencies {
		var l Latencies
		for i, s := range l.Kinds() {
			h := NewHistogram()
			for v := range 10*(i+1) + seed {
				require.NoError(t, h.RecordValue(int64(100*(v+1))))
			}
			*s = Summarize(h, true)
		}
		return l
	}
	a, b := fill(1), fill(2)
	got := a
	require.NoError(t, got.Add(b))
	v := reflect.ValueOf(got)
	require.Len(t, got.Kinds(), v.NumField(), "Kinds names every field")
	for i, s := range got.Kinds() {
		want := a.Kinds()[i].Count + b.Kinds()[i].Count
		assert.Equal(t, want, s.Count, latencyNames[i])
		h, err := s.Histogram()
		require.NoError(t, err)
		assert.Equal(t, want, h.TotalCount(), "%s: the histograms merged", latencyNames[i])
	}
}

func TestSummaryAdd(t *testing.T) {
	t.Parallel()
	hist := func(vals ...int64) Summary {
		h := NewHistogram()
		for _, v := range vals {
			require.NoError(t, h.RecordValue(v))
		}
		return Summarize(h, true)
	}
	censored := func(s Summary, n int64) Summary { s.Censored = n; return s }
	bound := func(s Summary) Summary { // as a schema 1 interval kept it
		return Summary{Count: s.Count, P50Us: s.P50Us, P99Us: s.P99Us, MaxUs: s.MaxUs}
	}
	tests := []struct {
		name string
		a, b Summary
		want Summary
	}{
		{name: "exact", a: hist(100, 200), b: hist(300, 400, 500), want: hist(100, 200, 300, 400, 500)},
		{name: "onto zero", a: Summary{}, b: hist(300), want: hist(300)},
		{name: "zero onto", a: hist(300), b: Summary{}, want: hist(300)},
		{name: "one without histogram", a: hist(100, 200), b: bound(hist(900)),
			want: Summary{Count: 3, P50Us: 900, P99Us: 900, MaxUs: 900}},
		{name: "both without", a: Summary{Count: 2, P50Us: 5, P90Us: 7, P99Us: 9, P999Us: 9, MaxUs: 9}, b: Summary{Count: 1, P50Us: 6, P90Us: 6, P99Us: 6, P999Us: 6, MaxUs: 6},
			want: Summary{Count: 3, P50Us: 6, P90Us: 7, P99Us: 9, P999Us: 9, MaxUs: 9}},
		{name: "censored", a: censored(hist(100, 200), 1), b: censored(hist(300, 400, 500), 2), want: censored(hist(100, 200, 300, 400, 500), 3)},
		{name: "censored without histogram", a: censored(hist(100, 200), 1), b: censored(bound(hist(900)), 1),
			want: Summary{Count: 3, P50Us: 900, P99Us: 900, MaxUs: 900, Censored: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := tt.a
			require.NoError(t, got.Add(tt.b))
			assert.Equal(t, tt.want, got)
		})
	}
}
