# SPDX-License-Identifier: GPL-2.0
#
# autoch: out-of-tree build of the driver and the verbs a user and a
# reviewer need. The module itself is built by kbuild (Kbuild, driver/Kbuild).

KDIR ?= /lib/modules/$(shell uname -r)/build
DESTDIR ?=
PREFIX ?= /usr/local

TESTBED := selftests/testbed

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

modules_install: modules
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install
	depmod -a $(shell $(MAKE) -s -C $(KDIR) kernelrelease 2>/dev/null)

install: modules_install
	install -D -m 0644 include/uapi/linux/autochanger.h \
		$(DESTDIR)$(PREFIX)/include/linux/autochanger.h

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

# checkpatch --strict and sparse on the driver and the headers.
lint:
	selftests/check.sh --lint-only

.PHONY: all modules modules_install install clean deps demo check lint
