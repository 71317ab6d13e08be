package loadresult

import (
	"fmt"
	"maps"
)

// Rejoins are the figures of a reconnect storm: the sessions that ended
// before the run did, by close code, and the subscriptions' way back to
// an open session. A server that restarts ends every session at once
// (the mock's POST /_mock/disconnect); the interval series shows when
// (Interval.Closes, Interval.Rejoins), and Delivery.LostAcrossReconnect
// the pushes lost with the sessions. Result.Rejoins is nil when no
// session ended, and in files written before these figures existed.
type Rejoins struct {
	// Closes counts the sessions that ended before the run did, by close
	// code: that of the server's close frame, or 1006 when the
	// connection ended without one.
	Closes map[int]uint64 `json:"closes"`
	// Back counts the rejoins: a subscription whose session had ended
	// opened a new one.
	Back uint64 `json:"back"`
	// NotBack counts the subscriptions whose last session ended and that
	// had not opened another by the end of the run.
	NotBack uint64 `json:"notBack"`
	// Refused counts the join attempts of subscriptions on their way back
	// that failed: an error status (such as 503 or 429), a refused
	// connection, a timeout.
	Refused uint64 `json:"refused"`
	// Time is the rejoin time, one sample per rejoin: from the end of a
	// session to the session frame of the subscription's next one,
	// backoff included. Its max is how long the last subscription took to
	// come back.
	Time Summary `json:"time"`
}

// Dropped is how many sessions ended before the run did.
func (r *Rejoins) Dropped() uint64 {
	var n uint64
	for _, c := range r.Closes {
		n += c
	}
	return n
}

// Add adds o's rejoins to r: the counts add up, by close code too, and
// the rejoin times merge (Summary.Add). r gets a map of its own: a copy
// of a result it was taken from keeps its counts.
func (r *Rejoins) Add(o Rejoins) error {
	if r.Closes != nil || o.Closes != nil {
		closes := maps.Clone(r.Closes)
		if closes == nil {
			closes = make(map[int]uint64, len(o.Closes))
		}
		for code, n := range o.Closes {
			closes[code] += n
		}
		r.Closes = closes
	}
	r.Back += o.Back
	r.NotBack += o.NotBack
	r.Refused += o.Refused
	if err := r.Time.Add(o.Time); err != nil {
		return fmt.Errorf("rejoin time: %w", err)
	}
	return nil
}

// addRejoins adds o to *r, either of them nil (none).
func addRejoins(r **Rejoins, o *Rejoins) error {
	if o == nil {
		return nil
	}
	if *r == nil {
		*r = &Rejoins{}
	}
	return (*r).Add(*o)
}
