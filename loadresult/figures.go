package loadresult

import "fmt"

// SubscriptionFigures are the join and receive side of the run.
type SubscriptionFigures struct {
	Requested    int    `json:"requested"` // this shard
	Joined       int    `json:"joined"`    // joined at least once
	NeverJoined  int    `json:"neverJoined"`
	OpenAtEnd    int    `json:"openAtEnd"`
	Sessions     uint64 `json:"sessions"` // successful joins, reconnects included
	JoinAttempts uint64 `json:"joinAttempts"`
	JoinFailures uint64 `json:"joinFailures"`
	Reconnects   uint64 `json:"reconnects"`
	// JoinSeconds is how long after the start every subscription had
	// made its first join attempt (the ramp at ConnectRate included);
	// a wait for the start time (--start-at) after that is not in it.
	JoinSeconds float64 `json:"joinSeconds"`
	// TriggersReceived counts trigger frames; TriggersPerSubscription
	// holds the count of each subscription, in order.
	TriggersReceived        uint64   `json:"triggersReceived"`
	TriggersPerSubscription []uint64 `json:"triggersPerSubscription"`
	PushFrames              uint64   `json:"pushFrames"` // duplicates included
	// SeqGaps counts seq numbers skipped (frames lost); SeqDuplicates
	// frames whose seq repeated the previous one; OutOfOrderFrames
	// frames whose seq was below one seen before.
	SeqGaps          uint64 `json:"seqGaps"`
	SeqDuplicates    uint64 `json:"seqDuplicates"`
	OutOfOrderFrames uint64 `json:"outOfOrderFrames"`
}

// Pushes are the send-side figures of a run.
type Pushes struct {
	Scheduled uint64 `json:"scheduled"` // in the schedule
	Sent      uint64 `json:"sent"`      // requests started
	Unsent    uint64 `json:"unsent"`    // due, but no session was open
	NotDue    uint64 `json:"notDue"`    // never due: the run was cut short
	Accepted  uint64 `json:"accepted"`  // 202
	Rejected  uint64 `json:"rejected"`  // HTTP error status
	Failed    uint64 `json:"failed"`    // no answer: timeout or transport error
	// LateSends started more than load.Options.LateSend after their intended
	// time: the driver, not the target, fell behind.
	LateSends      uint64  `json:"lateSends"`
	MaxSendLagUs   int64   `json:"maxSendLagUs"`
	TargetRate     float64 `json:"targetRate"`   // measured part, this shard
	AchievedRate   float64 `json:"achievedRate"` // sent per second, measured part
	AcceptedRate   float64 `json:"acceptedRate"`
	MeasuredPushes uint64  `json:"measuredPushes"` // sent after the warmup
}

// Due is how many pushes fell due: those scheduled, less those a run
// cut short never reached.
func (p *Pushes) Due() uint64 { return p.Scheduled - min(p.NotDue, p.Scheduled) }

// SentPercent is the share of the pushes due that were sent (100 when
// none was due). A push due when its subscription had no open session
// is unsent: a target lost mid-run leaves the rest of the schedule so.
func (p *Pushes) SentPercent() float64 {
	if p.Due() == 0 {
		return 100
	}
	return 100 * float64(p.Sent) / float64(p.Due())
}

// Delivery is the fate of the accepted pushes. Every accepted push is
// received (at least once) or lost, or still in flight when the run was
// cut short: Accepted = Received + Lost + InFlight.
type Delivery struct {
	Accepted    uint64 `json:"accepted"`
	Received    uint64 `json:"received"`    // at least once
	ExactlyOnce uint64 `json:"exactlyOnce"` // once, no duplicate
	Duplicated  uint64 `json:"duplicated"`  // pushes received more than once
	Lost        uint64 `json:"lost"`        // never received
	// LostAcrossReconnect are the lost pushes accepted for a session
	// that ended before the run did.
	LostAcrossReconnect uint64 `json:"lostAcrossReconnect"`
	InFlight            uint64 `json:"inFlight"`   // not received, still within PushTimeout at cut-off
	OutOfOrder          uint64 `json:"outOfOrder"` // received with a seq below one seen before
	Late                uint64 `json:"late"`       // received more than PushTimeout after the intended time
	// ReceivedUnaccepted are frames of pushes whose request failed or
	// was refused: the server queued what it did not confirm.
	ReceivedUnaccepted uint64  `json:"receivedUnaccepted"`
	Misrouted          uint64  `json:"misrouted"`     // arrived at another subscription
	ForeignFrames      uint64  `json:"foreignFrames"` // push frames that are not this run's
	DeliveredPercent   float64 `json:"deliveredPercent"`
	InvariantHolds     bool    `json:"invariantHolds"`
	Invariant          string  `json:"invariant"`
}

// SetInvariant fills the invariant fields from the counts: Accepted =
// Received + Lost + InFlight, and the driver's workers' own count of
// accepted pushes (workerAccepted, an independent check of its push
// table) equal to Accepted; and DeliveredPercent.
func (d *Delivery) SetInvariant(workerAccepted uint64) {
	d.InvariantHolds = d.Accepted == d.Received+d.Lost+d.InFlight && workerAccepted == d.Accepted
	mark := "holds"
	if !d.InvariantHolds {
		mark = "VIOLATED"
	}
	d.Invariant = fmt.Sprintf("accepted %d = received %d + lost %d + in flight %d: %s", d.Accepted, d.Received, d.Lost, d.InFlight, mark)
	if workerAccepted != d.Accepted {
		d.Invariant += fmt.Sprintf(" (workers counted %d accepted)", workerAccepted)
	}
	if d.Accepted > 0 {
		d.DeliveredPercent = 100 * float64(d.Received) / float64(d.Accepted)
	} else {
		d.DeliveredPercent = 100
	}
}

// Latencies are the run's latency distributions. End-to-end counts from
// the push's intended send time (the schedule's), service time from its
// actual send; warmup pushes are left out of both and of PushResponse.
type Latencies struct {
	Connect      Summary `json:"connect"`      // TCP + upgrade + session frame
	FirstFrame   Summary `json:"firstFrame"`   // session frame to first trigger or push frame
	PushResponse Summary `json:"pushResponse"` // push request to 202
	PushEndToEnd Summary `json:"pushEndToEnd"` // intended send to frame receipt
	PushService  Summary `json:"pushService"`  // actual send to frame receipt
}

// latencyNames are the JSON names of Latencies' fields, in Kinds' order.
var latencyNames = [...]string{"connect", "firstFrame", "pushResponse", "pushEndToEnd", "pushService"}

// Kinds returns l's summaries in a fixed order: connect, first frame,
// push response, push end-to-end, push service.
func (l *Latencies) Kinds() []*Summary {
	return []*Summary{&l.Connect, &l.FirstFrame, &l.PushResponse, &l.PushEndToEnd, &l.PushService}
}

// DriverFloor is the latency the driver adds by itself: the run's
// subscriptions (this process's share, or fewer where file descriptors
// would not hold both ends) and highest push rate against an in-process
// target that does no work beyond the protocol. A latency of the run is
// the target's only above it.
type DriverFloor struct {
	Seconds       float64 `json:"seconds"`       // how long it pushed
	Subscriptions int     `json:"subscriptions"` // held
	PushRate      float64 `json:"pushRate"`      // per second
	Received      uint64  `json:"received"`      // push frames
	EndToEnd      Summary `json:"pushEndToEnd"`
	Service       Summary `json:"pushService"`
}
