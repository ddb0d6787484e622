// SPDX-License-Identifier: GPL-2.0
/*
 * Build-only check: an HP-UX changer program's source, built with nothing
 * but -I../include/hpux. It includes <sys/scsi.h> and uses the HP-UX
 * names as HP-UX code does, C field name operator included, and HP-UX's
 * own SIOC_INQUIRY and SIOC_XSENSE types.
 */
#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/scsi.h>
#include <assert.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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

static void print_element(struct element_status *es)
{
	printf("%d: %s%s%s%s%s%s sense %02x/%02x", es->element,
	       es->full ? "full" : "empty",
	       es->operator ? " operator" : "",
	       es->except ? " except" : "",
	       es->access ? " access" : "",
	       es->import_enable ? " import" : "",
	       es->export_enable ? " export" : "",
	       es->sense_code, es->sense_qualifier);
	if (es->id_valid)
		printf(" id %d", es->bus_address);
	if (es->lu_valid)
		printf(" lun %d", es->lun);
	if (es->not_bus)
		printf(" not on bus");
	if (es->source_valid)
		printf(" from %d%s", es->source_element,
		       es->invert ? " inverted" : "");
	printf(" '%.32s' '%.32s'\n", es->pri_vol_tag, es->alt_vol_tag);
}

int hpux_compat_example(const char *device)
{
	struct element_addresses ea;
	struct element_status es;
	struct move_medium_parms mp;
	struct exchange_medium_parms xp;
	struct reservation_parms rp;
	struct inquiry_2 inq;
	union sense_data sd;
	int fd, i;

	fd = open(device, O_RDONLY);
	if (fd < 0)
		return -1;
	if (ioctl(fd, SIOC_INQUIRY, &inq) < 0 ||
	    inq.dev_type != SCSI_AUTOCHANGER)
		goto fail;
	if (ioctl(fd, SIOC_INIT_ELEM_STAT, 0) < 0 ||
	    ioctl(fd, SIOC_ELEMENT_ADDRESSES, &ea) < 0)
		goto fail;
	for (i = 0; i < ea.num_storages; i++) {
		memset(&es, 0, sizeof(es));
		es.element = ea.first_storage + i;
		if (ioctl(fd, SIOC_ELEMENT_STATUS, &es) < 0)
			goto fail;
		print_element(&es);
	}

	memset(&rp, 0, sizeof(rp));
	rp.all_elements = 1;
	if (ioctl(fd, SIOC_RESERVE, &rp) < 0)
		goto fail;
	mp.transport = ea.first_transport;
	mp.source = ea.first_storage;
	mp.destination = ea.first_data_transfer;
	mp.invert = 0;
	if (ioctl(fd, SIOC_MOVE_MEDIUM, &mp) < 0)
		goto fail;
	xp.transport = ea.first_transport;
	xp.source = ea.first_data_transfer;
	xp.first_destination = ea.first_storage + 1;
	xp.second_destination = ea.first_storage;
	xp.invert_first = 0;
	xp.invert_second = 0;
	if (ioctl(fd, SIOC_EXCHANGE_MEDIUM, &xp) < 0)
		goto fail;
	if (ioctl(fd, SIOC_RELEASE, &rp) < 0)
		goto fail;
	return close(fd);
fail:
	if (ioctl(fd, SIOC_XSENSE, &sd) == 0 && sd.r_sense2a.key)
		printf("sense %x/%02x/%02x\n", sd.r_sense2a.key,
		       sd.r_sense2a.code, sd.r_sense2a.qualifier);
	close(fd);
	return -1;
}
