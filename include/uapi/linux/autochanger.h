/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * autoch: the HP-UX autochanger(7) interface for SCSI media changers.
 *
 * Names, struct tags, field names and ioctl numbers follow HP-UX
 * <sys/scsi.h> so that HP-UX changer software builds on Linux with an
 * include-path change. The encodings are Linux's own _IO/_IOR/_IOW/_IOWR:
 * only source compatibility is possible, and it is the goal.
 *
 * None of the structures holds a pointer, so 32-bit and 64-bit callers
 * share one layout and no compat handler exists. Sizes and offsets are
 * asserted when the driver is built.
 *
 * The full reference is Documentation/autochanger-ioctl.rst.
 */
#ifndef _UAPI_LINUX_AUTOCHANGER_H
#define _UAPI_LINUX_AUTOCHANGER_H

#include <asm/byteorder.h>
#include <linux/ioctl.h>
#include <linux/pr.h>
#include <linux/types.h>

/* Peripheral device type of a medium changer (SCSI INQUIRY byte 0). */
#define SCSI_AUTOCHANGER	8

/**
 * struct element_addresses - the element map (MODE SENSE page 1Dh)
 * @first_transport: address of the first medium transport element
 * @num_transports: number of medium transport elements
 * @first_storage: address of the first storage element
 * @num_storages: number of storage elements
 * @first_import_export: address of the first import/export element
 * @num_import_exports: number of import/export elements
 * @first_data_transfer: address of the first data transfer element
 * @num_data_transfers: number of data transfer elements
 *
 * The order is that of page 1Dh bytes 2-17. Output only.
 */
struct element_addresses {
	__u16 first_transport;
	__u16 num_transports;
	__u16 first_storage;
	__u16 num_storages;
	__u16 first_import_export;
	__u16 num_import_exports;
	__u16 first_data_transfer;
	__u16 num_data_transfers;
};

/**
 * struct element_status - the status of one element (READ ELEMENT STATUS)
 * @element: in: the element address to report on; out: unchanged
 * @full: the element holds a medium
 * @operator: the medium was placed by an operator (SMC ImpExp; C++ spells
 *	it @operator_)
 * @except: the element is in an abnormal state, see @sense_code
 * @access: a transport can reach the element
 * @export_enable: the import/export element can export media
 * @import_enable: the import/export element can import media
 * @resv1: zero
 * @resv2: zero
 * @sense_code: ASC of the abnormal state when @except is set
 * @sense_qualifier: ASCQ of the abnormal state
 * @lun: LUN of the drive, valid when @lu_valid
 * @sublu_valid: zero (HP extension)
 * @lu_valid: @lun is valid
 * @id_valid: @bus_address is valid
 * @resv3: zero
 * @not_bus: the drive is not on the changer's bus
 * @bus_address: SCSI target ID of the drive, valid when @id_valid
 * @sub_lun: zero (HP extension)
 * @resv4: zero
 * @invert: the medium was inverted by its last move
 * @source_valid: @source_element is valid
 * @source_element: the element the medium last came from
 * @pri_vol_tag: primary volume tag as the device reports it (SMC: a
 *	32-byte identifier, space padded, 2 reserved bytes, a 2-byte
 *	sequence number); all zero when the device reports none or an
 *	all-space identifier
 * @alt_vol_tag: alternate volume tag, same rules
 * @misc_bytes: zero; reserved for device-specific data
 *
 * HP-UX declares the flag bytes high bit first; the order of the
 * bit-fields below gives the same byte image as the SMC descriptor on
 * little-endian machines, but the driver fills every field by name and
 * callers must use the names, never the byte image. Every byte the driver
 * does not set is zero.
 */
__extension__ struct element_status {
	__u16 element;
	__u8 full:1;
#ifdef __cplusplus
	__u8 operator_:1;
#else
	__u8 operator:1;
#endif
	__u8 except:1;
	__u8 access:1;
	__u8 export_enable:1;
	__u8 import_enable:1;
	__u8 resv1:2;
	__u8 resv2;
	__u8 sense_code;
	__u8 sense_qualifier;
	__u8 lun:3;
	__u8 sublu_valid:1;
	__u8 lu_valid:1;
	__u8 id_valid:1;
	__u8 resv3:1;
	__u8 not_bus:1;
	__u8 bus_address;
	__u8 sub_lun;
	__u8 resv4:6;
	__u8 invert:1;
	__u8 source_valid:1;
	__u16 source_element;
	char pri_vol_tag[36];
	char alt_vol_tag[36];
	__u8 misc_bytes[168];
};

/**
 * struct reservation_parms - SIOC_RESERVE and SIOC_RELEASE argument
 * @element: element to reserve; 0 when @all_elements is 1
 * @identification: reservation identification; 0 when @all_elements is 1
 * @all_elements: 0 reserves one element, 1 the whole unit
 */
struct reservation_parms {
	__u16 element;
	__u8 identification;
	__u8 all_elements;
};

/**
 * struct move_medium_parms - SIOC_MOVE_MEDIUM argument
 * @transport: medium transport element that performs the move
 * @source: element the medium is taken from
 * @destination: element the medium is put into
 * @invert: 1 to rotate the medium on the way; 0 otherwise
 * @resv: padding that HP-UX leaves implicit; ignored, so that HP-UX code
 *	that never sets it keeps working
 */
struct move_medium_parms {
	__u16 transport;
	__u16 source;
	__u16 destination;
	__u8 invert;
	__u8 resv;
};

/**
 * struct exchange_medium_parms - SIOC_EXCHANGE_MEDIUM argument
 * @transport: medium transport element that performs the exchange
 * @source: the medium here goes to @first_destination
 * @first_destination: the medium here goes to @second_destination
 * @second_destination: may equal @source (a swap)
 * @invert_first: 1 to rotate the first medium; 0 otherwise
 * @invert_second: 1 to rotate the second medium; 0 otherwise
 */
struct exchange_medium_parms {
	__u16 transport;
	__u16 source;
	__u16 first_destination;
	__u16 second_destination;
	__u8 invert_first;
	__u8 invert_second;
};

/*
 * HP-UX's SIOC_INQUIRY and SIOC_XSENSE arguments. HP-UX is big-endian and
 * allocates bit-fields from the most significant bit; each byte's
 * bit-fields are declared in reverse order on little-endian machines, so
 * that a field reads the same bits of the device's data on both. The
 * driver copies the device's bytes; callers read the fields by name.
 * (__extension__: ISO C knows bit-fields of type int only.)
 */

/**
 * struct inquiry_2 - standard INQUIRY data, SCSI-2 field names (HP-UX)
 * @periph_qualifier: peripheral qualifier (byte 0 bits 7-5)
 * @dev_type: peripheral device type, SCSI_AUTOCHANGER for a changer
 * @rmb: removable medium
 * @dtq: device type qualifier (byte 1 bits 6-0)
 * @iso: ISO version
 * @ecma: ECMA version
 * @ansi: ANSI version (byte 2 bits 2-0)
 * @aenc: asynchronous event notification capability
 * @trmiop: TrmIOP (terminate I/O process)
 * @resv1: byte 3 bits 5-4
 * @rdf: response data format
 * @added_len: additional length (n - 4)
 * @resv2: bytes 5-6
 * @reladr: relative addressing
 * @wbus32: 32-bit wide bus
 * @wbus16: 16-bit wide bus
 * @sync: synchronous transfer
 * @linked: linked commands
 * @resv3: byte 7 bit 2
 * @cmdque: command queuing
 * @sftre: soft reset
 * @vendor_id: T10 vendor identification, space padded
 * @product_id: product identification, space padded
 * @rev_num: product revision level
 * @vendor_spec: vendor specific (bytes 36-55)
 * @resv4: bytes 56-95
 * @vendor_parm_bytes: bytes 96-127
 */
__extension__ struct inquiry_2 {
#if defined(__LITTLE_ENDIAN_BITFIELD)
	__u8 dev_type:5;
	__u8 periph_qualifier:3;
	__u8 dtq:7;
	__u8 rmb:1;
	__u8 ansi:3;
	__u8 ecma:3;
	__u8 iso:2;
	__u8 rdf:4;
	__u8 resv1:2;
	__u8 trmiop:1;
	__u8 aenc:1;
#elif defined(__BIG_ENDIAN_BITFIELD)
	__u8 periph_qualifier:3;
	__u8 dev_type:5;
	__u8 rmb:1;
	__u8 dtq:7;
	__u8 iso:2;
	__u8 ecma:3;
	__u8 ansi:3;
	__u8 aenc:1;
	__u8 trmiop:1;
	__u8 resv1:2;
	__u8 rdf:4;
#else
#error "<asm/byteorder.h> gave no bit-field order"
#endif
	__u8 added_len;
	__u8 resv2[2];
#if defined(__LITTLE_ENDIAN_BITFIELD)
	__u8 sftre:1;
	__u8 cmdque:1;
	__u8 resv3:1;
	__u8 linked:1;
	__u8 sync:1;
	__u8 wbus16:1;
	__u8 wbus32:1;
	__u8 reladr:1;
#else
	__u8 reladr:1;
	__u8 wbus32:1;
	__u8 wbus16:1;
	__u8 sync:1;
	__u8 linked:1;
	__u8 resv3:1;
	__u8 cmdque:1;
	__u8 sftre:1;
#endif
	char vendor_id[8];
	char product_id[16];
	char rev_num[4];
	__u8 vendor_spec[20];
	__u8 resv4[40];
	__u8 vendor_parm_bytes[32];
};

/**
 * struct inquiry - standard INQUIRY data, SCSI-1 field names (HP-UX)
 * @dev_type: byte 0 whole: peripheral qualifier and device type
 * @rmb: removable medium
 * @dtq: device type qualifier
 * @iso: ISO version
 * @ecma: ECMA version
 * @ansi: ANSI version
 * @resv: byte 3 bits 7-4
 * @rdf: response data format
 * @added_len: additional length (n - 4)
 * @dev_class: bytes 5-7
 * @vendor_id: as in struct inquiry_2, and the fields that follow
 * @product_id: product identification
 * @rev_num: product revision level
 * @vendor_spec: vendor specific (bytes 36-55)
 * @resv4: bytes 56-95
 * @vendor_parm_bytes: bytes 96-127
 */
__extension__ struct inquiry {
	__u8 dev_type;
#if defined(__LITTLE_ENDIAN_BITFIELD)
	__u8 dtq:7;
	__u8 rmb:1;
	__u8 ansi:3;
	__u8 ecma:3;
	__u8 iso:2;
	__u8 rdf:4;
	__u8 resv:4;
#else
	__u8 rmb:1;
	__u8 dtq:7;
	__u8 iso:2;
	__u8 ecma:3;
	__u8 ansi:3;
	__u8 resv:4;
	__u8 rdf:4;
#endif
	__u8 added_len;
	__u8 dev_class[3];
	char vendor_id[8];
	char product_id[16];
	char rev_num[4];
	__u8 vendor_spec[20];
	__u8 resv4[40];
	__u8 vendor_parm_bytes[32];
};

/**
 * union inquiry_data - SIOC_INQUIRY result: the first 128 bytes of the
 *	device's standard INQUIRY data, zero beyond what it returned
 * @inq1: SCSI-1 view
 * @inq2: SCSI-2 view
 */
union inquiry_data {
	struct inquiry inq1;
	struct inquiry_2 inq2;
};

/**
 * struct sense_2_aligned - fixed-format sense data, SCSI-2 names (HP-UX)
 * @info_valid: @info is valid (byte 0 bit 7)
 * @error_code: response code, S_CURRENT_ERROR or S_DEFERRED_ERROR
 * @seg_num: segment number
 * @filemark: FILEMARK
 * @eom: EOM
 * @ili: ILI
 * @resv: byte 2 bit 4
 * @key: sense key (S_NO_SENSE ...)
 * @info: information
 * @add_len: additional sense length (n - 7)
 * @cmd_info: command-specific information
 * @code: additional sense code (ASC)
 * @qualifier: additional sense code qualifier (ASCQ)
 * @fru: field replaceable unit code
 * @key_specific: sense-key specific bytes
 * @add_sense_bytes: bytes 18-130
 */
__extension__ struct sense_2_aligned {
#if defined(__LITTLE_ENDIAN_BITFIELD)
	__u8 error_code:7;
	__u8 info_valid:1;
#else
	__u8 info_valid:1;
	__u8 error_code:7;
#endif
	__u8 seg_num;
#if defined(__LITTLE_ENDIAN_BITFIELD)
	__u8 key:4;
	__u8 resv:1;
	__u8 ili:1;
	__u8 eom:1;
	__u8 filemark:1;
#else
	__u8 filemark:1;
	__u8 eom:1;
	__u8 ili:1;
	__u8 resv:1;
	__u8 key:4;
#endif
	__u8 info[4];
	__u8 add_len;
	__u8 cmd_info[4];
	__u8 code;
	__u8 qualifier;
	__u8 fru;
	__u8 key_specific[3];
	__u8 add_sense_bytes[113];
};

/**
 * struct xsense_aligned - fixed-format sense data, SCSI-1 names (HP-UX)
 * @valid: @lba is valid (byte 0 bit 7)
 * @error_class: byte 0 bits 6-4 (7 for extended sense)
 * @error_code: byte 0 bits 3-0
 * @seg_num: segment number
 * @parms: byte 2 bits 7-4 (filemark, EOM, ILI, reserved)
 * @sense_key: sense key
 * @lba: information
 * @add_len: additional sense length
 * @copysearch: command-specific information
 * @sense_code: additional sense code (ASC)
 * @resv: byte 13 (ASCQ)
 * @fru: field replaceable unit code
 * @field: byte 15 (SKSV and sense-key specific bits)
 * @field_ptr: bytes 16-17 (sense-key specific)
 * @dev_error: bytes 18-21
 * @misc_bytes: bytes 22-127
 */
__extension__ struct xsense_aligned {
#if defined(__LITTLE_ENDIAN_BITFIELD)
	__u8 error_code:4;
	__u8 error_class:3;
	__u8 valid:1;
#else
	__u8 valid:1;
	__u8 error_class:3;
	__u8 error_code:4;
#endif
	__u8 seg_num;
#if defined(__LITTLE_ENDIAN_BITFIELD)
	__u8 sense_key:4;
	__u8 parms:4;
#else
	__u8 parms:4;
	__u8 sense_key:4;
#endif
	__u8 lba[4];
	__u8 add_len;
	__u8 copysearch[4];
	__u8 sense_code;
	__u8 resv;
	__u8 fru;
	__u8 field;
	__u8 field_ptr[2];
	__u8 dev_error[4];
	__u8 misc_bytes[106];
};

/**
 * union sense_data - SIOC_XSENSE result: the sense data of this open
 *	file's last failed command, zero beyond what the device returned,
 *	all zero when no command has failed or it returned none
 * @r_sense1a: SCSI-1 view (128 bytes)
 * @r_sense2a: SCSI-2 view (131 bytes, the size of the union)
 */
union sense_data {
	struct xsense_aligned r_sense1a;
	struct sense_2_aligned r_sense2a;
};

/**
 * struct autoch_inquiry - AUTOCH_INQUIRY result (Linux-defined)
 * @dev_type: peripheral device type, SCSI_AUTOCHANGER for a changer
 * @resv1: zero
 * @length: number of valid bytes in @data
 * @resv2: zero
 * @data: standard INQUIRY data as the device returned it, zero beyond
 *	@length
 */
struct autoch_inquiry {
	__u8 dev_type;
	__u8 resv1;
	__u16 length;
	__u32 resv2;
	__u8 data[256];
};

/**
 * struct autoch_xsense - AUTOCH_XSENSE result (Linux-defined)
 * @valid: 1 when a command sent for this open file has failed, 0 when
 *	none has; all other fields are zero when 0
 * @status: SCSI status byte of the last failed command
 * @host_status: transport result (Linux DID_* code) of that command
 * @driver_status: zero; kept for the layout of older Linux interfaces
 * @cdb_len: number of valid bytes in @cdb
 * @sense_len: number of valid bytes in @sense (0 when the device
 *	returned no sense data)
 * @resv1: zero
 * @error: the errno (positive) that the failed call returned
 * @resv2: zero
 * @cdb: the command descriptor block that failed
 * @sense: the sense data the device returned
 */
struct autoch_xsense {
	__u8 valid;
	__u8 status;
	__u8 host_status;
	__u8 driver_status;
	__u8 cdb_len;
	__u8 sense_len;
	__u16 resv1;
	__s32 error;
	__u32 resv2;
	__u8 cdb[16];
	__u8 sense[96];
};

/**
 * struct autoch_status_range - AUTOCH_ELEMENT_STATUS_RANGE argument
 * @first: in: first element address
 * @count: in: number of consecutive elements, 1 to 65535; every address
 *	from @first to @first + @count - 1 must be in the element map
 * @flags: in: zero
 * @statuses: in: user address of an array of @count struct element_status
 *	that receives the status of each element, in address order
 */
struct autoch_status_range {
	__u16 first;
	__u16 count;
	__u32 flags;
	__u64 statuses;
};

/**
 * struct autoch_drive_id - AUTOCH_DRIVE_ID argument
 * @element: in: a data transfer element address
 * @code_set: out: SMC code set of @id (2: ASCII)
 * @id_type: out: SMC identifier type (0: vendor specific, e.g. the serial)
 * @id_len: out: valid bytes in @id; 0 when the changer reports none
 * @resv: zero
 * @id: out: the drive's identifier as the changer reports it (DVCID),
 *	zero beyond @id_len
 */
struct autoch_drive_id {
	__u16 element;
	__u8 code_set;
	__u8 id_type;
	__u8 id_len;
	__u8 resv[3];
	__u8 id[64];
};

/**
 * struct autoch_drive_devices - AUTOCH_DRIVE_DEVICES argument
 * @element: in: a data transfer element address
 * @flags: out: AUTOCH_DRIVE_* bits: what the other members hold
 * @index: out: K of the element's sysfs link driveK (the Kth data
 *	transfer element in address order), 0 when nothing matched
 * @host: out: SCSI host number of the drive's device (AUTOCH_DRIVE_FOUND)
 * @channel: out: its channel
 * @target: out: its target id
 * @lun: out: its LUN
 * @st_major: out: device number of the rewinding tape node /dev/stN
 *	(AUTOCH_DRIVE_ST)
 * @st_minor: out
 * @nst_major: out: the non-rewinding /dev/nstN (AUTOCH_DRIVE_ST)
 * @nst_minor: out
 * @sg_major: out: the SCSI generic node /dev/sgN (AUTOCH_DRIVE_SG)
 * @sg_minor: out
 * @st_name: out: "stN", NUL-terminated (AUTOCH_DRIVE_ST); /dev/n<st_name>
 *	is the non-rewinding node
 * @sg_name: out: "sgN", NUL-terminated (AUTOCH_DRIVE_SG)
 */
struct autoch_drive_devices {
	__u16 element;
	__u16 flags;
	__u32 index;
	__u32 host;
	__u32 channel;
	__u32 target;
	__u32 resv;
	__u64 lun;
	__u32 st_major;
	__u32 st_minor;
	__u32 nst_major;
	__u32 nst_minor;
	__u32 sg_major;
	__u32 sg_minor;
	char st_name[16];
	char sg_name[16];
};

/* struct autoch_drive_devices flags */
#define AUTOCH_DRIVE_HAS_ID	0x0001	/* the changer reports an identifier */
#define AUTOCH_DRIVE_FOUND	0x0002	/* a SCSI device has it: host..lun */
#define AUTOCH_DRIVE_ST		0x0004	/* st drives it: st_*, nst_* */
#define AUTOCH_DRIVE_SG		0x0008	/* sg has a node for it: sg_* */

#define AUTOCH_MAX_RESERVED	64

/**
 * struct autoch_reservation_state - AUTOCH_RESERVATIONS result
 * @unit: this open file holds the unit reservation
 * @unit_lost: it held the unit reservation when the changer was reset
 * @num_elements: number of elements this file holds reserved
 * @num_lost: number of element reservations the last reset took away
 * @resv: zero
 * @elements: the first AUTOCH_MAX_RESERVED of them
 * @lost: the first AUTOCH_MAX_RESERVED lost ones
 *
 * The lost state is reported until the file makes its next reservation.
 */
struct autoch_reservation_state {
	__u8 unit;
	__u8 unit_lost;
	__u16 num_elements;
	__u16 num_lost;
	__u16 resv;
	__u16 elements[AUTOCH_MAX_RESERVED];
	__u16 lost[AUTOCH_MAX_RESERVED];
};

/**
 * struct autoch_capabilities - AUTOCH_CAPABILITIES result (pages 1Fh, 1Eh)
 * @move_from: one entry per source element type, in the order transport,
 *	storage, import/export, data transfer; bit 0 (transport), 1
 *	(storage), 2 (import/export) or 3 (data transfer) is set when a
 *	MOVE MEDIUM to that type is possible
 * @exchange_from: the same for EXCHANGE MEDIUM
 * @can_store: bit 0-3 set when elements of that type can store media
 * @num_rotating: number of transport elements that can rotate (invert)
 * @resv: zero
 */
struct autoch_capabilities {
	__u8 move_from[4];
	__u8 exchange_from[4];
	__u8 can_store;
	__u8 resv1;
	__u16 num_rotating;
	__u32 resv;
};

/*
 * AUTOCH_GET_EVENTS bits, what the changer reported since the last call:
 * MEDIUM, media may have changed (28/xx: door, magazine, operator);
 * IMPORT_EXPORT, an import/export element was accessed (28/01);
 * RESET, power on or reset (29/xx); CHANGED, parameters or configuration
 * changed (2A/xx, 3F/xx); INVENTORY, an INITIALIZE ELEMENT STATUS sent
 * through the driver ended; MOVE_UNKNOWN, a MOVE or EXCHANGE MEDIUM was
 * cut off by a path failure and what the changer did could not be told
 * (the call failed with EIO: read the elements). Other unit attentions
 * are no events.
 * SIOC_MEDIUM_CHANGED keeps a state of its own (1 after MEDIUM,
 * IMPORT_EXPORT or RESET): neither call clears the other's. poll():
 * POLLIN while AUTOCH_GET_EVENTS has events, POLLPRI while
 * SIOC_MEDIUM_CHANGED would answer 1.
 */
#define AUTOCH_EVENT_MEDIUM		0x01
#define AUTOCH_EVENT_IMPORT_EXPORT	0x02
#define AUTOCH_EVENT_RESET		0x04
#define AUTOCH_EVENT_CHANGED		0x08
#define AUTOCH_EVENT_INVENTORY		0x10
#define AUTOCH_EVENT_MOVE_UNKNOWN	0x20

/**
 * struct autoch_events - AUTOCH_GET_EVENTS result
 * @events: AUTOCH_EVENT_* bits of the events since the last call on this
 *	open file (or since it was opened); reading clears them
 * @count: number of events in that time
 */
struct autoch_events {
	__u32 events;
	__u32 count;
};

/*
 * AUTOCH_OPEN_CLOSE_IE actions (SMC-3 OPEN/CLOSE IMPORT/EXPORT ELEMENT,
 * action code): OPEN unlocks and opens the import/export element for the
 * operator; CLOSE closes and locks it again.
 */
#define AUTOCH_IE_OPEN		0x00
#define AUTOCH_IE_CLOSE		0x01

/**
 * struct autoch_open_close_ie - AUTOCH_OPEN_CLOSE_IE argument
 * @element: in: an import/export element address
 * @action: in: AUTOCH_IE_OPEN or AUTOCH_IE_CLOSE
 * @resv: in: zero
 */
struct autoch_open_close_ie {
	__u16 element;
	__u8 action;
	__u8 resv[5];
};

/**
 * struct autoch_position - AUTOCH_POSITION_TO_ELEMENT argument
 * @transport: in: the medium transport element to move
 * @destination: in: the element to position it in front of
 * @invert: in: 1 to rotate the medium in the transport, else 0
 * @resv: in: zero
 */
struct autoch_position {
	__u16 transport;
	__u16 destination;
	__u8 invert;
	__u8 resv[3];
};

/* Other HP-UX SCSI ioctls that changer tools call (HP-UX numbers). */
#define SIOC_INQUIRY		_IOR('S', 2, union inquiry_data)
#define SIOC_XSENSE		_IOR('S', 7, union sense_data)
#define SIOC_MEDIUM_CHANGED	_IOR('S', 42, int)

/* The HP-UX autochanger(7) ioctls. */
#define SIOC_INIT_ELEM_STAT	_IO('S', 51)
#define SIOC_ELEMENT_ADDRESSES	_IOR('S', 52, struct element_addresses)
#define SIOC_ELEMENT_STATUS	_IOWR('S', 53, struct element_status)
#define SIOC_RESERVE		_IOW('S', 54, struct reservation_parms)
#define SIOC_RELEASE		_IOW('S', 55, struct reservation_parms)
#define SIOC_MOVE_MEDIUM	_IOW('S', 56, struct move_medium_parms)
#define SIOC_EXCHANGE_MEDIUM	_IOW('S', 57, struct exchange_medium_parms)

/*
 * Linux extensions ('S', from 200 on: HP-UX does not use these numbers).
 *
 * AUTOCH_ELEMENT_STATUS_RANGE: SIOC_ELEMENT_STATUS for many elements.
 * AUTOCH_PREVENT_ALLOW: 1 prevents, 0 allows removal of media through the
 *	import/export elements and magazines (PREVENT ALLOW MEDIUM REMOVAL).
 * AUTOCH_DRIVE_ID: the identifier the changer reports for the drive in a
 *	data transfer element, raw (often vendor, product and serial number).
 * AUTOCH_RESERVATIONS: what SIOC_RESERVE holds for this open file, and
 *	what a reset took away.
 * AUTOCH_CAPABILITIES: which moves and exchanges the changer can do.
 * AUTOCH_GET_EVENTS: the events poll() reported (POLLIN), and clear them.
 * AUTOCH_INQUIRY: SIOC_INQUIRY with the data's length, up to 256 bytes.
 * AUTOCH_XSENSE: SIOC_XSENSE with the failed command, its status, host
 *	status and errno.
 * AUTOCH_OPEN_CLOSE_IE: open or close an import/export element (the mail
 *	slot) for the operator (OPEN/CLOSE IMPORT/EXPORT ELEMENT).
 * AUTOCH_POSITION_TO_ELEMENT: move a transport in front of an element
 *	(POSITION TO ELEMENT).
 * AUTOCH_DRIVE_DEVICES: the Linux devices of the drive in a data transfer
 *	element (SCSI address, st, nst and sg device numbers), the device
 *	whose VPD identifier is the one the changer reports for the drive.
 */
#define AUTOCH_ELEMENT_STATUS_RANGE	_IOW('S', 200, struct autoch_status_range)
#define AUTOCH_PREVENT_ALLOW		_IOW('S', 201, __u32)
#define AUTOCH_DRIVE_ID			_IOWR('S', 202, struct autoch_drive_id)
#define AUTOCH_RESERVATIONS		_IOR('S', 203, struct autoch_reservation_state)
#define AUTOCH_CAPABILITIES		_IOR('S', 204, struct autoch_capabilities)
#define AUTOCH_GET_EVENTS		_IOR('S', 205, struct autoch_events)
#define AUTOCH_INQUIRY			_IOR('S', 206, struct autoch_inquiry)
#define AUTOCH_XSENSE			_IOR('S', 207, struct autoch_xsense)
#define AUTOCH_OPEN_CLOSE_IE		_IOW('S', 212, struct autoch_open_close_ie)
#define AUTOCH_POSITION_TO_ELEMENT	_IOW('S', 213, struct autoch_position)
#define AUTOCH_DRIVE_DEVICES		_IOWR('S', 214, struct autoch_drive_devices)

/*
 * Persistent reservations use <linux/pr.h>: IOC_PR_REGISTER, IOC_PR_RESERVE,
 * IOC_PR_RELEASE, IOC_PR_PREEMPT, IOC_PR_PREEMPT_ABORT and IOC_PR_CLEAR,
 * with their structures. Kernels from 7.x add IOC_PR_READ_KEYS and
 * IOC_PR_READ_RESERVATION there; for older headers they are defined here
 * with the same numbers and layouts.
 */
#ifndef IOC_PR_READ_KEYS
/**
 * struct pr_read_keys - IOC_PR_READ_KEYS argument
 * @generation: out: PRgeneration of the device
 * @num_keys: in: number of keys @keys_ptr has room for; out: number of
 *	keys registered (may be larger: then only the first are copied)
 * @keys_ptr: in: user address of an array of __u64 keys
 */
struct pr_read_keys {
	__u32 generation;
	__u32 num_keys;
	__u64 keys_ptr;
};

/**
 * struct pr_read_reservation - IOC_PR_READ_RESERVATION result
 * @key: reservation key of the holder; 0 when there is no reservation
 * @generation: PRgeneration of the device
 * @type: enum pr_type of the reservation; 0 when there is none
 */
struct pr_read_reservation {
	__u64 key;
	__u32 generation;
	__u32 type;
};

#define IOC_PR_READ_KEYS		_IOWR('p', 206, struct pr_read_keys)
#define IOC_PR_READ_RESERVATION		_IOR('p', 207, struct pr_read_reservation)
#endif

#endif /* _UAPI_LINUX_AUTOCHANGER_H */
