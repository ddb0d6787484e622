/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the two objects of the KUnit suite share: the fake changer and the
 * volume tag builder of autoch_kunit.c, which the fuzz cases use too, and
 * the fuzz cases of autoch_kunit_fuzz.c, which the suite in autoch_kunit.c
 * lists. Built only with CONFIG_AUTOCH_KUNIT_TEST=y (driver/Kbuild).
 */
#ifndef _AUTOCH_KUNIT_H
#define _AUTOCH_KUNIT_H

#include <kunit/test.h>

#include "autoch.h"

/* the fake changer's map sequence and cache generation */
#define AUTOCH_TEST_SEQ		7
#define AUTOCH_TEST_GEN		42

/* autoch_kunit.c */
struct autoch_device *autoch_test_dev(struct kunit *test);
void autoch_test_tag(u8 *dst, const char *id, u8 seq);

/* autoch_kunit_fuzz.c */
void autoch_test_fuzz(struct kunit *test);
const void *autoch_fuzz_params(const void *prev, char *desc);
void autoch_test_fuzz_total(struct kunit *test);

#endif /* _AUTOCH_KUNIT_H */
