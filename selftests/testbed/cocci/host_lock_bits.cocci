// SPDX-License-Identifier: GPL-2.0
/// The scsi_device bit-fields the error handler writes under the host
/// lock (was_reset, expecting_cc_ua) share a word with the midlayer's
/// other bit-fields: a write from autoch outside that lock is a
/// read-modify-write that can undo the error handler's. Reports every
/// write of them that is not between spin_lock_irqsave() and
/// spin_unlock_irqrestore() of a lock.
//
// Confidence: High
// Options: --no-includes --include-headers

virtual report

@initialize:python@
@@
writes = {}
locked = set()

@w@
expression S, E;
position p;
@@
(
S->was_reset@p = E
|
S->expecting_cc_ua@p = E
)

@script:python@
p << w.p;
@@
writes[(p[0].file, int(p[0].line))] = p[0]

@l@
expression S, E, L, F;
position p;
@@
spin_lock_irqsave(L, F);
... when != spin_unlock_irqrestore(L, F)
(
S->was_reset@p = E
|
S->expecting_cc_ua@p = E
)

@script:python@
p << l.p;
@@
locked.add((p[0].file, int(p[0].line)))

@finalize:python@
@@
for k in sorted(writes):
	if k not in locked:
		print("%s:%d: scsi_device bit-field written without the host lock" % k)
