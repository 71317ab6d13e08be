// A session (docs/protocol.md §3.1, §3.3): its seq counter, its bounded
// outbound queue, its liveness, and how it closes. The registry indexes
// open sessions by id and counts each token's connections.
//
// The outbound queue is ours, not the socket's: at most IN_FLIGHT frames
// are handed to ws at a time, so that on overflow the frames still queued
// are dropped and the 4008 close frame goes out right behind the few in
// flight, never behind a thousand stale frames.

import { randomBytes } from 'node:crypto';

const IN_FLIGHT = 16;

/** newSessionID returns 192 random bits, base64url: 32 characters. */
export const newSessionID = () => randomBytes(24).toString('base64url');

export class Session {
  /**
   * opts: id, account, pattern ({conds, echo}), queueMax, heartbeatMs,
   * closeWaitMs, breaks, log, onGone (called once the socket is closed).
   */
  constructor(ws, opts) {
    Object.assign(this, opts);
    this.ws = ws;
    this.seq = 0;
    this.outq = [];
    this.inFlight = 0;
    this.closing = false;
    this.dropped = 0;
    this.lastHeard = Date.now();
    ws.on('pong', () => (this.lastHeard = Date.now()));
    ws.on('ping', () => (this.lastHeard = Date.now()));
    ws.on('message', () => (this.lastHeard = Date.now())); // data frames are ignored
    ws.on('error', (err) => {
      if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') this.log('a client data frame over 4 KiB: closed with 1009');
      else this.log(`session socket error: ${err.code || err.message}`);
    });
    ws.on('close', () => this.gone());
    this.beat = setInterval(() => this.heartbeat(), this.heartbeatMs);
    const hb = this.heartbeatMs / 1000;
    this.write(`{"type":"session","session":${JSON.stringify(this.id)},"pattern":${this.pattern.echo},"heartbeat":${hb}}`);
  }

  queued() {
    return this.outq.length + this.inFlight;
  }

  // nextSeq numbers the next trigger or push frame. The seq-gap break
  // skips one number after the fourth frame.
  nextSeq() {
    this.seq++;
    if (this.breaks.has('seq-gap') && this.seq === 5) this.seq++;
    return this.seq;
  }

  /** offerTrigger queues a trigger frame, or closes with 4008 when full. */
  offerTrigger(eventText) {
    if (this.closing) return;
    if (this.queued() >= this.queueMax) {
      this.overflow();
      return;
    }
    this.write(`{"type":"trigger","seq":${this.nextSeq()},"event":${eventText}}`);
  }

  /** offerPush queues a push frame and returns its seq; 0 when the queue is full. */
  offerPush(dataText) {
    if (this.queued() >= this.queueMax) return 0;
    const seq = this.nextSeq();
    this.write(`{"type":"push","seq":${seq},"data":${dataText}}`);
    return seq;
  }

  write(frame) {
    this.outq.push(frame);
    this.pump();
  }

  pump() {
    while (this.outq.length > 0 && this.inFlight < IN_FLIGHT && !this.closing) {
      this.sendNow(this.outq.shift());
    }
  }

  sendNow(frame) {
    this.inFlight++;
    this.ws.send(frame, () => {
      this.inFlight--;
      this.pump();
    });
  }

  // overflow drops every queued frame and the one that did not fit, and
  // closes with 4008 ahead of them.
  overflow() {
    this.dropped = this.outq.length + 1;
    this.outq = [];
    this.log(`slow consumer: closing a session with 4008, ${this.dropped} frames dropped`);
    this.close(4008, 'slow consumer');
  }

  /**
   * close ends the session with code. Frames still queued are sent first
   * (except on 4008, which drops them); after closeWaitMs the socket is
   * cut whether or not the client answered.
   */
  close(code, reason) {
    if (this.closing) return;
    this.closing = true;
    for (const f of this.outq) this.sendNow(f);
    this.outq = [];
    this.ws.close(code, reason);
    this.cutTimer = setTimeout(() => this.ws.terminate(), this.closeWaitMs);
  }

  // heartbeat pings; a ping that has had no answer (nor any other frame)
  // for two intervals ends the connection.
  heartbeat() {
    const now = Date.now();
    if (this.pingedAt !== undefined && this.lastHeard < this.pingedAt && now - this.pingedAt >= 2 * this.heartbeatMs) {
      this.log('a session did not answer a ping within two intervals: connection closed');
      this.ws.terminate();
      return;
    }
    if (this.pingedAt === undefined || this.lastHeard >= this.pingedAt) this.pingedAt = now;
    this.ws.ping();
  }

  gone() {
    this.closing = true;
    clearInterval(this.beat);
    clearTimeout(this.cutTimer);
    this.outq = [];
    this.onGone(this);
  }
}

/** Registry holds the open sessions and each token's connection count. */
export class Registry {
  constructor() {
    this.byID = new Map();
    this.perToken = new Map();
  }

  /** reserve counts a connection for token unless it holds max already. */
  reserve(token, max) {
    const n = this.perToken.get(token) || 0;
    if (n >= max) return false;
    this.perToken.set(token, n + 1);
    return true;
  }

  release(token) {
    const n = (this.perToken.get(token) || 1) - 1;
    if (n === 0) this.perToken.delete(token);
    else this.perToken.set(token, n);
  }

  add(s) {
    this.byID.set(s.id, s);
  }

  remove(s) {
    if (this.byID.get(s.id) === s) this.byID.delete(s.id);
  }

  /** lookup returns the open session id of token's account, if any. */
  lookup(id, account) {
    const s = this.byID.get(id);
    if (!s || s.closing || s.account !== account) return undefined;
    return s;
  }

  get size() {
    return this.byID.size;
  }

  all() {
    return [...this.byID.values()];
  }
}
