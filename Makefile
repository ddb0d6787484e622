# SPDX-License-Identifier: GPL-2.0
#
# autoch: out-of-tree build of the driver and the verbs a user and a
# reviewer need. The module itself is built by kbuild (Kbuild, driver/Kbuild).

KDIR ?= /lib/modules/$(shell uname -r)/build
DESTDIR ?=
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/autoch
UDEVRULESDIR ?= /etc/udev/rules.d
# where udev looks for the programs its rules name without a path
UDEVLIBDIR ?= /lib/udev
MODPROBEDIR ?= /etc/modprobe.d
# modules_install puts an external module in /lib/modules/<release>/extra
INSTALL_MOD_DIR ?= extra
# the release KDIR is for, as modules_install names its directory (on
# Debian's headers `make kernelrelease` gives the upstream version)
KRELEASE = $(or $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"$$/\1/p' \
	$(KDIR)/include/generated/utsrelease.h 2>/dev/null),\
	$(shell $(MAKE) -s -C $(KDIR) kernelrelease 2>/dev/null))

# What install-data and install-tools install, and uninstall removes. The
# HP-UX directory is installed whole, and the documentation the man pages
# point to. mc is installed as autoch-mc: Midnight Commander is /usr/bin/mc.
HPUX_HDRS = $(shell find include/hpux -type f -name '*.h' | sort)
DOCS = $(wildcard Documentation/*.rst) Documentation/ABI/testing/sysfs-class-autoch
MAN1 := userspace-examples/autoch-inventory.1 userspace-examples/autoch-demo.1
MAN7 := Documentation/autochanger.7
MAN8 := userspace-examples/autoch-mc.8
# program built in userspace-examples -> name installed in BINDIR
TOOLS := mc:autoch-mc autoch-inventory:autoch-inventory autoch-demo:autoch-demo
TOOLSDIR ?= build/tools
# The installed tools link dynamically (the test guests use static ones).
TOOLS_CFLAGS ?= -O2 -g -Wall -Wextra
TOOLS_LDFLAGS ?=

# make deb: where the packages go (a copy of the tree is built there).
OUT ?= $(CURDIR)/build/deb

# DKMS: DKMS_VERSION comes from dkms.conf; KVER is the kernel release to
# build for (empty: the running kernel), e.g. KVER=6.1.0-56-amd64.
DKMS_VERSION ?= $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' dkms.conf)
KVER ?=
DKMSSRC := /usr/src/autoch-$(DKMS_VERSION)
DKMSFILES := Kbuild Makefile dkms.conf driver/Kbuild driver/probes.mk \
	$(filter-out %.mod.c,$(wildcard driver/*.c)) $(wildcard driver/*.h) \
	$(shell find include -name '*.h')

TESTBED := selftests/testbed

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

modules_install: modules
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_DIR=$(INSTALL_MOD_DIR) \
		INSTALL_MOD_PATH=$(DESTDIR) modules_install
	depmod $(if $(DESTDIR),-b $(DESTDIR)) -a $(KRELEASE)

# For systems without the Debian packages (make deb): everything they
# install, with the module built for KDIR instead of through DKMS.
install: modules_install install-data install-tools

# Everything but the module and the tools (with their man pages): the header (and the HP-UX
# porting directory: -I$(INCLUDEDIR)/autoch/hpux), the udev rules (group
# tape, the /dev/rchgr and /dev/autoch/by-* names; the drives' names
# /dev/autoch/autochN/driveK with their program autoch-drive-names in
# UDEVLIBDIR), a modprobe.d file that
# keeps ch from taking the changers, the man pages, the documentation.
install-data:
	install -D -m 0644 include/uapi/linux/autochanger.h \
		$(DESTDIR)$(INCLUDEDIR)/linux/autochanger.h
	install -D -m 0644 include/uapi/linux/autochanger.h \
		$(DESTDIR)$(INCLUDEDIR)/autoch/uapi/linux/autochanger.h
	for f in $(HPUX_HDRS); do \
		install -D -m 0644 $$f $(DESTDIR)$(INCLUDEDIR)/autoch/$${f#include/} || exit; done
	install -D -m 0644 udev/60-autoch.rules \
		$(DESTDIR)$(UDEVRULESDIR)/60-autoch.rules
	install -D -m 0644 udev/61-autoch-drives.rules \
		$(DESTDIR)$(UDEVRULESDIR)/61-autoch-drives.rules
	install -D -m 0755 udev/autoch-drive-names \
		$(DESTDIR)$(UDEVLIBDIR)/autoch-drive-names
	install -D -m 0644 autoch-modprobe.conf \
		$(DESTDIR)$(MODPROBEDIR)/autoch.conf
	install -d $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(DOCDIR)
	install -m 0644 $(MAN7) $(DESTDIR)$(MANDIR)/man7/
	install -m 0644 $(DOCS) $(DESTDIR)$(DOCDIR)/

# mc (as autoch-mc), autoch-inventory and autoch-demo, linked dynamically.
tools:
	mkdir -p $(TOOLSDIR)
	$(MAKE) -C userspace-examples OUTPUT=$(abspath $(TOOLSDIR)) \
		CFLAGS="$(TOOLS_CFLAGS)" LDFLAGS="$(TOOLS_LDFLAGS) -pthread" \
		$(foreach t,$(TOOLS),$(abspath $(TOOLSDIR))/$(firstword $(subst :, ,$(t))))

install-tools: tools
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8
	$(foreach t,$(TOOLS),install -m 0755 $(TOOLSDIR)/$(firstword $(subst :, ,$(t))) \
		$(DESTDIR)$(BINDIR)/$(lastword $(subst :, ,$(t)));)
	install -m 0644 $(MAN1) $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 $(MAN8) $(DESTDIR)$(MANDIR)/man8/

# Undo make install (same variables): the module, then every file above.
uninstall:
	test -n "$(KRELEASE)"
	-find $(DESTDIR)/lib/modules/$(KRELEASE)/$(INSTALL_MOD_DIR) -name 'autoch.ko*' -delete
	-find $(DESTDIR)/lib/modules/$(KRELEASE)/$(INSTALL_MOD_DIR) -depth -type d -empty -delete
	depmod $(if $(DESTDIR),-b $(DESTDIR)) -a $(KRELEASE)
	$(MAKE) uninstall-data uninstall-tools

uninstall-data:
	rm -f $(DESTDIR)$(INCLUDEDIR)/linux/autochanger.h
	rm -rf $(DESTDIR)$(INCLUDEDIR)/autoch
	rm -f $(DESTDIR)$(UDEVRULESDIR)/60-autoch.rules
	rm -f $(DESTDIR)$(UDEVRULESDIR)/61-autoch-drives.rules
	rm -f $(DESTDIR)$(UDEVLIBDIR)/autoch-drive-names
	rm -f $(DESTDIR)$(MODPROBEDIR)/autoch.conf
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man7/,$(notdir $(MAN7)))
	rm -rf $(DESTDIR)$(DOCDIR)

uninstall-tools:
	rm -f $(foreach t,$(TOOLS),$(DESTDIR)$(BINDIR)/$(lastword $(subst :, ,$(t))))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MAN1))) \
		$(addprefix $(DESTDIR)$(MANDIR)/man8/,$(notdir $(MAN8)))

# The module's sources as DKMS wants them in /usr/src/autoch-VERSION
# (DKMSSRC), under DESTDIR: for dkms-install and the Debian package.
dkms-src:
	rm -rf $(DESTDIR)$(DKMSSRC)
	for f in $(DKMSFILES); do install -D -m 0644 $$f $(DESTDIR)$(DKMSSRC)/$$f || exit; done
	sed -i 's/^PACKAGE_VERSION=.*/PACKAGE_VERSION="$(DKMS_VERSION)"/' $(DESTDIR)$(DKMSSRC)/dkms.conf

# Debian packages autoch-dkms and autoch-tools (debian/), built by
# dpkg-buildpackage in a copy of the tree under OUT; the .deb files are
# left in OUT. Installs the build dependencies with apt when run as root.
deb:
	@command -v dpkg-buildpackage >/dev/null && dpkg-checkbuilddeps 2>/dev/null || { \
		test "$$(id -u)" = 0 || { echo "deb: build dependencies missing (dpkg-checkbuilddeps)" >&2; exit 1; }; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
			-o DPkg::Lock::Timeout=600 dpkg-dev fakeroot build-essential >/dev/null && \
		DEBIAN_FRONTEND=noninteractive apt-get build-dep -y --no-install-recommends \
			-o DPkg::Lock::Timeout=600 ./ >/dev/null; }
	dpkg-checkbuilddeps
	rm -rf $(OUT)/src
	mkdir -p $(OUT)/src
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		git ls-files -z -c -o --exclude-standard | \
			grep -zv '^build/' | xargs -0 cp --parents -t $(OUT)/src; \
	else \
		tar -c --exclude=./build . | tar -x -C $(OUT)/src; \
	fi
	cd $(OUT)/src && dpkg-buildpackage -us -uc -b
	@ls -1 $(OUT)/*.deb

# The module only (no udev rules, headers, modprobe.d file, man pages or
# tools: make install-data install-tools, or the Debian packages): the
# sources in /usr/src/autoch-VERSION, added to DKMS, built and installed
# for KVER; run again, it replaces what the same version left.
dkms-install:
	@command -v dkms >/dev/null || { echo "dkms-install: no dkms (apt-get install dkms)" >&2; exit 1; }
	@test -n "$(DKMS_VERSION)" || { echo "dkms-install: no PACKAGE_VERSION in dkms.conf" >&2; exit 1; }
	if [ -n "$$(dkms status -m autoch -v $(DKMS_VERSION))" ]; then \
		dkms remove -m autoch -v $(DKMS_VERSION) --all; fi
	$(MAKE) dkms-src DESTDIR=
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

# make check RUNS times in a row (5) with make soak's guest beside it:
# no test may be flaky on a loaded machine.
RUNS ?= 5
check-repeat:
	selftests/testbed/repeat.sh $(RUNS)

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

# The large-library rows alone: the emulated library of 10,000 and
# 50,000 elements at 5 and 10 ms per command, without tgt, the moves and
# ch's CHIOGSTATUS loop.
bench-large:
	AUTOCH_BENCH_TGT=0 AUTOCH_BENCH_MOVE_MS=0 AUTOCH_BENCH_CH=elem \
		selftests/bench/bench.sh 10000 50000

# 32 processes for 10 minutes on the emulated library through its two
# paths, the active one flapping (selftests/soak; "soak.sh 600 plain":
# two nodes, no flaps).
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

.PHONY: all modules modules_install install install-data tools install-tools \
	uninstall uninstall-data uninstall-tools dkms-src dkms-install dkms-remove deb \
	clean deps demo check check-repeat check-minimal lint matrix bench bench-large soak
