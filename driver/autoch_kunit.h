/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the three objects of the KUnit suite share: the fake changer and
 * the volume tag builder of autoch_kunit_parse.c, which the other cases use
 * too, and the parser cases of autoch_kunit_parse.c and the fuzz cases of
 * autoch_kunit_fuzz.c, which the suite in autoch_kunit.c lists. Built only
 * with CONFIG_AUTOCH_KUNIT_TEST=y (driver/Kbuild).
 */
#ifndef _AUTOCH_KUNIT_H
#define _AUTOCH_KUNIT_H

#include <kunit/test.h>

#include "autoch.h"

/* the fake changer's map sequence and cache generation */
#define AUTOCH_TEST_SEQ		7
#define AUTOCH_TEST_GEN		42

/* autoch_kunit_parse.c */
struct autoch_device *autoch_test_dev(struct kunit *test);
void autoch_test_tag(u8 *dst, const char *id, u8 seq);
void autoch_test_voltag_blank(struct kunit *test);
void autoch_test_parse_desc(struct kunit *test);
void autoch_test_res_good(struct kunit *test);
void autoch_test_res_truncated(struct kunit *test);
void autoch_test_res_oversized(struct kunit *test);
void autoch_test_res_short_desc(struct kunit *test);
void autoch_test_res_tags(struct kunit *test);
void autoch_test_res_pages(struct kunit *test);
void autoch_test_res_stale_map(struct kunit *test);
void autoch_test_res_cdb(struct kunit *test);
void autoch_test_res_alloc(struct kunit *test);
void autoch_test_res_alloc16_reply(struct kunit *test);
void autoch_test_res_cut_short(struct kunit *test);
void autoch_test_type_of(struct kunit *test);
void autoch_test_res_first_match(struct kunit *test);
void autoch_test_drive_id_tags(struct kunit *test);
void autoch_test_id_matches(struct kunit *test);

/* autoch_kunit_fuzz.c */
void autoch_test_fuzz(struct kunit *test);
const void *autoch_fuzz_params(const void *prev, char *desc);
void autoch_test_fuzz_total(struct kunit *test);

#endif /* _AUTOCH_KUNIT_H */
