// SPDX-License-Identifier: GPL-2.0
/*
 * Build-only check: <linux/autochanger.h> compiles as C++ (where operator
 * is a keyword, spelled operator_) with the layout of the C structs.
 */
#include <cstddef>

#include <linux/autochanger.h>

static_assert(sizeof(struct element_addresses) == 16, "element_addresses");
static_assert(sizeof(struct element_status) == 252, "element_status");
static_assert(sizeof(struct reservation_parms) == 4, "reservation_parms");
static_assert(sizeof(struct move_medium_parms) == 8, "move_medium_parms");
static_assert(sizeof(struct exchange_medium_parms) == 10,
	      "exchange_medium_parms");
static_assert(offsetof(struct element_status, bus_address) == 7,
	      "bus_address");
static_assert(offsetof(struct element_status, source_element) == 10,
	      "source_element");
static_assert(offsetof(struct element_status, pri_vol_tag) == 12,
	      "pri_vol_tag");
static_assert(offsetof(struct element_status, alt_vol_tag) == 48,
	      "alt_vol_tag");
static_assert(offsetof(struct element_status, misc_bytes) == 84,
	      "misc_bytes");
static_assert(sizeof(union inquiry_data) == 128, "inquiry_data");
static_assert(sizeof(union sense_data) == 131, "sense_data");
static_assert(sizeof(struct autoch_inquiry) == 264, "autoch_inquiry");
static_assert(sizeof(struct autoch_xsense) == 128, "autoch_xsense");

/* The fields a C++ changer program reads, by name. */
int autoch_cxx_placed_by_operator(const element_status &es,
				  const element_addresses &ea)
{
	return es.full && es.operator_ && es.element >= ea.first_storage;
}

/* HP-UX's INQUIRY view by name. */
bool autoch_cxx_is_changer(const inquiry_data &inq)
{
	return inq.inq2.dev_type == SCSI_AUTOCHANGER && !inq.inq2.periph_qualifier;
}
