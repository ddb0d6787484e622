# SPDX-License-Identifier: GPL-2.0
#
# autoch: out-of-tree build of the driver and the verbs a user and a
# reviewer need. The module itself is built by kbuild (Kbuild, driver/Kbuild).

KDIR ?= /lib/modules/$(shell uname -r)/build
DESTDIR ?=
PREFIX ?= /usr/local
MANDIR ?= $(PREFIX)/share/man
UDEVRULESDIR ?= /etc/udev/rules.d
MODPROBEDIR ?= /etc/modprobe.d

# DKMS: DKMS_VERSION comes from dkms.conf; KVER is the kernel release to
# build for (empty: the running kernel), e.g. KVER=6.1.0-56-amd64.
DKMS_VERSION ?= $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' dkms.conf)
KVER ?=
DKMSSRC := /usr/src/autoch-$(DKMS_VERSION)
DKMSFILES := Kbuild Makefile dkms.conf driver/Kbuild \
	$(filter-out %.mod.c,$(wildcard driver/*.c)) $(wildcard driver/*.h) \
	$(shell find include -name '*.h')

TESTBED := selftests/testbed

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

modules_install: modules
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install
	depmod -a $(shell $(MAKE) -s -C $(KDIR) kernelrelease 2>/dev/null)

install: modules_install install-data

# Everything but the module: the header (and the HP-UX porting directory:
# -I$(PREFIX)/include/autoch/hpux), the udev rules (group tape, the
# /dev/rchgr and /dev/autoch/by-* names), a modprobe.d file that keeps ch
# from taking the changers, the man pages.
install-data:
	install -D -m 0644 include/uapi/linux/autochanger.h \
		$(DESTDIR)$(PREFIX)/include/linux/autochanger.h
	install -D -m 0644 include/uapi/linux/autochanger.h \
		$(DESTDIR)$(PREFIX)/include/autoch/uapi/linux/autochanger.h
	for h in scsi scsi_ctl wsio spinlock; do \
		install -D -m 0644 include/hpux/sys/$$h.h \
			$(DESTDIR)$(PREFIX)/include/autoch/hpux/sys/$$h.h || exit; \
	done
	install -D -m 0644 udev/60-autoch.rules \
		$(DESTDIR)$(UDEVRULESDIR)/60-autoch.rules
	install -D -m 0644 autoch-modprobe.conf \
		$(DESTDIR)$(MODPROBEDIR)/autoch.conf
	install -D -m 0644 Documentation/autochanger.7 \
		$(DESTDIR)$(MANDIR)/man7/autochanger.7
	install -D -m 0644 userspace-examples/mc.8 \
		$(DESTDIR)$(MANDIR)/man8/mc.8

# The sources in /usr/src/autoch-VERSION, added to DKMS, built and
# installed for KVER; run again, it replaces what the same version left.
dkms-install:
	@command -v dkms >/dev/null || { echo "dkms-install: no dkms (apt-get install dkms)" >&2; exit 1; }
	@test -n "$(DKMS_VERSION)" || { echo "dkms-install: no PACKAGE_VERSION in dkms.conf" >&2; exit 1; }
	if [ -n "$$(dkms status -m autoch -v $(DKMS_VERSION))" ]; then \
		dkms remove -m autoch -v $(DKMS_VERSION) --all; fi
	rm -rf $(DKMSSRC)
	for f in $(DKMSFILES); do install -D -m 0644 $$f $(DKMSSRC)/$$f || exit; done
	sed -i 's/^PACKAGE_VERSION=.*/PACKAGE_VERSION="$(DKMS_VERSION)"/' $(DKMSSRC)/dkms.conf
	dkms add -m autoch -v $(DKMS_VERSION)
	dkms build -m autoch -v $(DKMS_VERSION) $(if $(KVER),-k $(KVER))
	dkms install -m autoch -v $(DKMS_VERSION) $(if $(KVER),-k $(KVER))

# Undo dkms-install: the module from every kernel, then the sources.
dkms-remove:
	@command -v dkms >/dev/null || { echo "dkms-remove: no dkms" >&2; exit 1; }
	if [ -n "$$(dkms status -m autoch -v $(DKMS_VERSION))" ]; then \
		dkms remove -m autoch -v $(DKMS_VERSION) --all; fi
	rm -rf $(DKMSSRC)

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || \
		find . -name '*.o' -o -name '*.ko' -o -name '*.mod*' -o -name '.*.cmd' | xargs rm -f
	rm -rf build selftests/build userspace-examples/build

# Everything below installs its own dependencies with apt and builds
# against Debian's 6.1 kernel, which the test guest boots.

deps:
	$(TESTBED)/deps.sh

# Boot a guest with tgt's changer and run the demo against /dev/autoch0.
demo:
	selftests/demo.sh

# Every test: lint, header checks, the selftests in QEMU against tgt.
check:
	selftests/check.sh

# make check in a fresh minimal Debian 12 (debootstrap minbase plus
# build-essential, git, ca-certificates) with empty caches.
check-minimal:
	selftests/testbed/minimal.sh

# checkpatch --strict and sparse on the driver and the headers.
lint:
	selftests/check.sh --lint-only

# autoch against Linux's ch and mtx: wall time and commands on the wire.
bench:
	selftests/bench/bench.sh

# 32 processes for 10 minutes on the emulated library through two hosts.
soak:
	selftests/soak/soak.sh 600

# Build, W=1, sparse and the selftests on Debian's 6.1, 6.12, sid's
# current stable and experimental's -rc (allowed to fail).
matrix:
	selftests/matrix/matrix.sh

# KUnit, the selftests, an ioctl fuzzer and hot-unplug under a KASAN,
# UBSAN, lockdep and kmemleak kernel (built once, cached); any report fails.
check-debug:
	selftests/debug/check-debug.sh
.PHONY: check-debug

.PHONY: all modules modules_install install install-data dkms-install dkms-remove \
	clean deps demo check check-minimal lint matrix bench soak
