/*
 * The attribute lists behind rules.ts (issue 7): which standard attributes the de-identifier
 * removes, empties, replaces, remaps, shifts or cleans, grouped by what it does with them under
 * each option. Written for Tessera, not read from the standard's table: table.test.ts checks
 * every row of PS3.15 Table E.1-1 (table-e1-1.ts) against these groups.
 *
 * Choices where the Basic Profile leaves one (X/Z, X/D, Z/D, X/Z/D, depending on the attribute's
 * type in the IOD, which a receiver does not know for every IOD): empty when the attribute is
 * Type 2 in the common image IODs (Study Date, Acquisition Date and Time, Treatment Machine Name,
 * Reviewer Name, Patient's Sex Neutered, Acquisition Context Sequence, Content Date and Time,
 * Content Creator's Name, Contrast/Bolus Agent); a dummy when it is Type 1 somewhere (Device
 * Serial Number and Acquisition DateTime in the enhanced equipment and image modules); removed
 * otherwise.
 */
import type { Tag } from '../core/types.js';

/** Patient ID: replaced by the keyed pseudonym, the one tabular imports give the same patient. */
export const PATIENT_ID: readonly Tag[] = [
  0x00100020, // Patient ID
];

/** Patient's Name: emptied, never derived from the real name. */
export const PATIENT_NAME: readonly Tag[] = [
  0x00100010, // Patient's Name
];

/**
 * UIDs of instances, series, studies, frames of reference and the like: remapped with the site key
 * (HMAC-SHA-256 to 2.25.), at every depth, so references between instances stay consistent.
 */
export const UIDS: readonly Tag[] = [
  0x00001001, // Requested SOP Instance UID
  0x00020003, // Media Storage SOP Instance UID
  0x00041511, // Referenced SOP Instance UID in File
  0x00080014, // Instance Creator UID
  0x00080017, // Acquisition UID
  0x00080018, // SOP Instance UID
  0x00080019, // Pyramid UID
  0x00080058, // Failed SOP Instance UID List
  0x00081155, // Referenced SOP Instance UID
  0x00081195, // Transaction UID
  0x00083010, // Irradiation Event UID
  0x00181002, // Device UID
  0x0018100b, // Manufacturer's Device Class UID
  0x00182042, // Target UID
  0x0020000d, // Study Instance UID
  0x0020000e, // Series Instance UID
  0x00200052, // Frame of Reference UID
  0x00200200, // Synchronization Frame of Reference UID
  0x00209161, // Concatenation UID
  0x00209164, // Dimension Organization UID
  0x00281199, // Palette Color Lookup Table UID
  0x00281214, // Large Palette Color Lookup Table UID
  0x003a0310, // Multiplex Group UID
  0x00400554, // Specimen UID
  0x00404023, // Referenced General Purpose Scheduled Procedure Step Transaction UID
  0x0040a124, // UID
  0x0040a171, // Observation UID
  0x0040a172, // Referenced Observation UID (Trial)
  0x0040a402, // Observation Subject UID (Trial)
  0x0040db0c, // Template Extension Organization UID
  0x0040db0d, // Template Extension Creator UID
  0x00620021, // Tracking UID
  0x00640003, // Source Frame of Reference UID
  0x0070031a, // Fiducial UID
  0x00701101, // Presentation Display Collection UID
  0x00701102, // Presentation Sequence Collection UID
  0x00880140, // Storage Media File-set UID
  0x04000100, // Digital Signature UID
  0x30060024, // Referenced Frame of Reference UID
  0x300600c2, // Related Frame of Reference UID
  0x300a0013, // Dose Reference UID
  0x300a0054, // Table Top Position Alignment UID
  0x300a0083, // Referenced Dose Reference UID
  0x300a0609, // Treatment Position Group UID
  0x300a0650, // Patient Setup UID
  0x300a0700, // Treatment Session UID
  0x300a0785, // Referenced Treatment Position Group UID
  0x30100006, // Conceptual Volume UID
  0x3010000b, // Referenced Conceptual Volume UID
  0x30100013, // Constituent Conceptual Volume UID
  0x30100015, // Source Conceptual Volume UID
  0x30100031, // Referenced Fiducials UID
  0x3010003b, // RT Treatment Phase UID
  0x3010006e, // Dosimetric Objective UID
  0x3010006f, // Referenced Dosimetric Objective UID
];

/**
 * Sequences of references to other images: kept, with the UIDs inside remapped (the "*" of
 * X/Z/U*).
 */
export const REFERENCE_SEQUENCES: readonly Tag[] = [
  0x00081140, // Referenced Image Sequence
  0x00082112, // Source Image Sequence
];

/**
 * Removed whatever the options: names, addresses, contact details, identifiers of people, visits,
 * orders and devices, GPS data, signatures, icons, original and modified attribute sequences.
 */
export const REMOVE: readonly Tag[] = [
  0x00001000, // Affected SOP Instance UID
  0x00080054, // Retrieve AE Title
  0x00080055, // Station AE Title
  0x00080080, // Institution Name
  0x00080081, // Institution Address
  0x00080082, // Institution Code Sequence
  0x00080092, // Referring Physician's Address
  0x00080094, // Referring Physician's Telephone Numbers
  0x00080096, // Referring Physician Identification Sequence
  0x0008009d, // Consulting Physician Identification Sequence
  0x00081000, // Network ID
  0x00081010, // Station Name
  0x00081040, // Institutional Department Name
  0x00081041, // Institutional Department Type Code Sequence
  0x00081048, // Physician(s) of Record
  0x00081049, // Physician(s) of Record Identification Sequence
  0x00081050, // Performing Physician's Name
  0x00081052, // Performing Physician Identification Sequence
  0x00081060, // Name of Physician(s) Reading Study
  0x00081062, // Physician(s) Reading Study Identification Sequence
  0x00081070, // Operators' Name
  0x00081072, // Operator Identification Sequence
  0x00081110, // Referenced Study Sequence
  0x00081111, // Referenced Performed Procedure Step Sequence
  0x00081120, // Referenced Patient Sequence
  0x00100021, // Issuer of Patient ID
  0x00100032, // Patient's Birth Time
  0x00100050, // Patient's Insurance Plan Code Sequence
  0x00100101, // Patient's Primary Language Code Sequence
  0x00100102, // Patient's Primary Language Modifier Code Sequence
  0x00101000, // Other Patient IDs
  0x00101001, // Other Patient Names
  0x00101002, // Other Patient IDs Sequence
  0x00101005, // Patient's Birth Name
  0x00101040, // Patient's Address
  0x00101050, // Insurance Plan Identification
  0x00101060, // Patient's Mother's Birth Name
  0x00101080, // Military Rank
  0x00101081, // Branch of Service
  0x00101090, // Medical Record Locator
  0x00101100, // Referenced Patient Photo Sequence
  0x00102150, // Country of Residence
  0x00102152, // Region of Residence
  0x00102154, // Patient's Telephone Numbers
  0x00102155, // Patient's Telecom Information
  0x001021f0, // Patient's Religious Preference
  0x00102297, // Responsible Person
  0x00102299, // Responsible Organization
  0x00120022, // Issuer of Clinical Trial Protocol ID
  0x00120023, // Other Clinical Trial Protocol IDs Sequence
  0x00120032, // Issuer of Clinical Trial Site ID
  0x00120041, // Issuer of Clinical Trial Subject ID
  0x00120043, // Issuer of Clinical Trial Subject Reading ID
  0x00120055, // Issuer of Clinical Trial Time Point ID
  0x00120071, // Clinical Trial Series ID
  0x00120073, // Issuer of Clinical Trial Series ID
  0x00120082, // Clinical Trial Protocol Ethics Committee Approval Number
  0x0016004d, // Camera Owner Name
  0x0016004e, // Lens Specification
  0x0016004f, // Lens Make
  0x00160050, // Lens Model
  0x00160051, // Lens Serial Number
  0x00160070, // GPS Version ID
  0x00160071, // GPS Latitude Ref
  0x00160072, // GPS Latitude
  0x00160073, // GPS Longitude Ref
  0x00160074, // GPS Longitude
  0x00160075, // GPS Altitude Ref
  0x00160076, // GPS Altitude
  0x00160077, // GPS Time Stamp
  0x00160078, // GPS Satellites
  0x00160079, // GPS Status
  0x0016007a, // GPS Measure Mode
  0x0016007b, // GPS DOP
  0x0016007c, // GPS Speed Ref
  0x0016007d, // GPS Speed
  0x0016007e, // GPS Track Ref
  0x0016007f, // GPS Track
  0x00160080, // GPS Img Direction Ref
  0x00160081, // GPS Img Direction
  0x00160082, // GPS Map Datum
  0x00160083, // GPS Dest Latitude Ref
  0x00160084, // GPS Dest Latitude
  0x00160085, // GPS Dest Longitude Ref
  0x00160086, // GPS Dest Longitude
  0x00160087, // GPS Dest Bearing Ref
  0x00160088, // GPS Dest Bearing
  0x00160089, // GPS Dest Distance Ref
  0x0016008a, // GPS Dest Distance
  0x0016008b, // GPS Processing Method
  0x0016008c, // GPS Area Information
  0x0016008e, // GPS Differential
  0x00181004, // Plate ID
  0x00181005, // Generator ID
  0x00181007, // Cassette ID
  0x00181008, // Gantry ID
  0x00181009, // Unique Device Identifier
  0x0018100a, // UDI Sequence
  0x00185011, // Transducer Identification Sequence
  0x0018700a, // Detector ID
  0x00189373, // X-Ray Detector Label
  0x00203401, // Modifying Device ID
  0x00203406, // Modified Image Description
  0x00284000, // Image Presentation Comments
  0x00320012, // Study ID Issuer
  0x00321020, // Scheduled Study Location
  0x00321021, // Scheduled Study Location AE Title
  0x00321032, // Requesting Physician
  0x00321033, // Requesting Service
  0x00380004, // Referenced Patient Alias Sequence
  0x00380010, // Admission ID
  0x00380011, // Issuer of Admission ID
  0x00380014, // Issuer of Admission ID Sequence
  0x0038001e, // Scheduled Patient Institution Residence
  0x00380060, // Service Episode ID
  0x00380061, // Issuer of Service Episode ID
  0x00380064, // Issuer of Service Episode ID Sequence
  0x00380300, // Current Patient Location
  0x00380400, // Patient's Institution Residence
  0x00400001, // Scheduled Station AE Title
  0x00400006, // Scheduled Performing Physician's Name
  0x00400009, // Scheduled Procedure Step ID
  0x0040000b, // Scheduled Performing Physician Identification Sequence
  0x00400010, // Scheduled Station Name
  0x00400011, // Scheduled Procedure Step Location
  0x00400241, // Performed Station AE Title
  0x00400242, // Performed Station Name
  0x00400243, // Performed Location
  0x00400253, // Performed Procedure Step ID
  0x0040050a, // Specimen Accession Number
  0x004006fa, // Slide Identifier
  0x00401001, // Requested Procedure ID
  0x00401004, // Patient Transport Arrangements
  0x00401005, // Requested Procedure Location
  0x00401010, // Names of Intended Recipients of Results
  0x00401011, // Intended Recipients of Results Identification Sequence
  0x00401102, // Person's Address
  0x00401103, // Person's Telephone Numbers
  0x00401104, // Person's Telecom Information
  0x00402008, // Order Entered By
  0x00402009, // Order Enterer's Location
  0x00402010, // Order Callback Phone Number
  0x00402011, // Order Callback Telecom Information
  0x00403001, // Confidentiality Constraint on Patient Data Description
  0x00404025, // Scheduled Station Name Code Sequence
  0x00404027, // Scheduled Station Geographic Location Code Sequence
  0x00404028, // Performed Station Name Code Sequence
  0x00404030, // Performed Station Geographic Location Code Sequence
  0x00404034, // Scheduled Human Performers Sequence
  0x00404035, // Actual Human Performers Sequence
  0x00404036, // Human Performer's Organization
  0x00404037, // Human Performer's Name
  0x0040a078, // Author Observer Sequence
  0x0040a07a, // Participant Sequence
  0x0040a07c, // Custodial Organization Sequence
  0x0040a307, // Current Observer (Trial)
  0x0040a352, // Verbal Source (Trial)
  0x0040a353, // Address (Trial)
  0x0040a354, // Telephone Number (Trial)
  0x0040a358, // Verbal Source Identifier Code Sequence (Trial)
  0x0050001b, // Container Component ID
  0x00500020, // Device Description
  0x00700086, // Content Creator's Identification Code Sequence
  0x00741234, // Receiving AE
  0x00741236, // Requesting AE
  0x00880200, // Icon Image Sequence
  0x00880904, // Topic Title
  0x00880906, // Topic Subject
  0x00880910, // Topic Author
  0x00880912, // Topic Keywords
  0x04000402, // Referenced Digital Signature Sequence
  0x04000403, // Referenced SOP Instance MAC Sequence
  0x04000404, // MAC
  0x04000550, // Modified Attributes Sequence
  0x04000551, // Nonconforming Modified Attributes Sequence
  0x04000552, // Nonconforming Data Element Value
  0x04000561, // Original Attributes Sequence
  0x04000600, // Instance Origin Status
  0x20300020, // Text String
  0x21000070, // Originator
  0x22000005, // Barcode Value
  0x3006004d, // ROI Creator Sequence
  0x3006004e, // ROI Interpreter Sequence
  0x30080105, // Source Serial Number
  0x300a0216, // Source Manufacturer
  0x40000010, // Arbitrary
  0x40004000, // Text Comments
  0x40080040, // Results ID
  0x40080042, // Results ID Issuer
  0x40080102, // Interpretation Recorder
  0x4008010a, // Interpretation Transcriber
  0x4008010c, // Interpretation Author
  0x40080111, // Interpretation Approver Sequence
  0x40080114, // Physician Approving Interpretation
  0x40080118, // Results Distribution List Sequence
  0x40080119, // Distribution Name
  0x4008011a, // Distribution Address
  0x40080200, // Interpretation ID
  0x40080202, // Interpretation ID Issuer
  0xfffafffa, // Digital Signatures Sequence
  0xfffcfffc, // Data Set Trailing Padding
];

/**
 * Kept present with a zero-length value (sequences with no items), whatever the options: Type 2
 * attributes of common IODs.
 */
export const EMPTY: readonly Tag[] = [
  0x00080050, // Accession Number
  0x00080090, // Referring Physician's Name
  0x0008009c, // Consulting Physician's Name
  0x00100030, // Patient's Birth Date
  0x00120021, // Clinical Trial Protocol Name
  0x00120030, // Clinical Trial Site ID
  0x00120031, // Clinical Trial Site Name
  0x00120050, // Clinical Trial Time Point ID
  0x00120060, // Clinical Trial Coordinating Center Name
  0x00200010, // Study ID
  0x00400513, // Issuer of the Container Identifier Sequence
  0x00400555, // Acquisition Context Sequence
  0x00400562, // Issuer of the Specimen Identifier Sequence
  0x00400610, // Specimen Preparation Sequence
  0x00402016, // Placer Order Number / Imaging Service Request
  0x00402017, // Filler Order Number / Imaging Service Request
  0x0040a088, // Verifying Observer Identification Code Sequence
  0x00700084, // Content Creator's Name
  0x04000564, // Source of Previous Values
  0x300600a6, // ROI Interpreter
  0x300a00b2, // Treatment Machine Name
  0x300a0611, // RT Accessory Holder Slot ID
  0x300a0615, // RT Accessory Device Slot ID
  0x300e0008, // Reviewer Name
  0x3010001b, // Device Alternate Identifier
  0x30100043, // Manufacturer's Device Identifier
];

/**
 * Replaced by a fixed dummy of the same VR (see dummyValue in deidentify.ts), whatever the
 * options: Type 1 attributes that must stay present.
 */
export const DUMMY: readonly Tag[] = [
  0x00120010, // Clinical Trial Sponsor Name
  0x00120020, // Clinical Trial Protocol ID
  0x00120040, // Clinical Trial Subject ID
  0x00120042, // Clinical Trial Subject Reading ID
  0x00120081, // Clinical Trial Protocol Ethics Committee Name
  0x00181000, // Device Serial Number
  0x00189367, // X-Ray Source ID
  0x00189371, // X-Ray Detector ID
  0x00340001, // Flow Identifier Sequence
  0x00340002, // Flow Identifier
  0x00340005, // Source Identifier
  0x00400512, // Container Identifier
  0x00400551, // Specimen Identifier
  0x00401101, // Person Identification Code Sequence
  0x0040a027, // Verifying Organization
  0x0040a073, // Verifying Observer Sequence
  0x0040a075, // Verifying Observer Name
  0x0040a123, // Person Name
  0x0040a730, // Content Sequence
  0x00420011, // Encapsulated Document
  0x006a0003, // Annotation Group UID
  0x00700001, // Graphic Annotation Sequence
  0x0072005e, // Selector AE Value
  0x00720065, // Selector OB Value
  0x0072006a, // Selector PN Value
  0x0072006d, // Selector UN Value
  0x00720071, // Selector UR Value
  0x04000115, // Certificate of Signer
  0x04000563, // Modifying System
  0x21000140, // Destination AE
  0x3010002d, // Device Label
];

/**
 * Dates, times and date-times removed; shifted by the patient's offset with Retain Longitudinal
 * Temporal Information.
 */
export const DATE_REMOVE: readonly Tag[] = [
  0x00080012, // Instance Creation Date
  0x00080013, // Instance Creation Time
  0x00080015, // Instance Coercion DateTime
  0x00080021, // Series Date
  0x00080024, // Overlay Date
  0x00080025, // Curve Date
  0x00080031, // Series Time
  0x00080034, // Overlay Time
  0x00080035, // Curve Time
  0x00080201, // Timezone Offset From UTC
  0x001021d0, // Last Menstrual Date
  0x00120086, // Ethics Committee Approval Effectiveness Start Date
  0x00120087, // Ethics Committee Approval Effectiveness End Date
  0x0014407c, // Calibration Time
  0x0014407e, // Calibration Date
  0x0016008d, // GPS Date Stamp
  0x00180027, // Intervention Drug Stop Time
  0x00180035, // Intervention Drug Start Time
  0x00181012, // Date of Secondary Capture
  0x00181014, // Time of Secondary Capture
  0x00181042, // Contrast/Bolus Start Time
  0x00181043, // Contrast/Bolus Stop Time
  0x00181072, // Radiopharmaceutical Start Time
  0x00181073, // Radiopharmaceutical Stop Time
  0x00181078, // Radiopharmaceutical Start DateTime
  0x00181079, // Radiopharmaceutical Stop DateTime
  0x00181200, // Date of Last Calibration
  0x00181201, // Time of Last Calibration
  0x00181202, // DateTime of Last Calibration
  0x00181204, // Date of Manufacture
  0x00181205, // Date of Installation
  0x0018700c, // Date of Last Detector Calibration
  0x0018700e, // Time of Last Detector Calibration
  0x00189516, // Start Acquisition DateTime
  0x00189517, // End Acquisition DateTime
  0x0018a002, // Contribution DateTime
  0x00203403, // Modified Image Date
  0x00203405, // Modified Image Time
  0x00320032, // Study Verified Date
  0x00320033, // Study Verified Time
  0x00320034, // Study Read Date
  0x00320035, // Study Read Time
  0x00321000, // Scheduled Study Start Date
  0x00321001, // Scheduled Study Start Time
  0x00321010, // Scheduled Study Stop Date
  0x00321011, // Scheduled Study Stop Time
  0x00321040, // Study Arrival Date
  0x00321041, // Study Arrival Time
  0x00321050, // Study Completion Date
  0x00321051, // Study Completion Time
  0x0038001a, // Scheduled Admission Date
  0x0038001b, // Scheduled Admission Time
  0x0038001c, // Scheduled Discharge Date
  0x0038001d, // Scheduled Discharge Time
  0x00380020, // Admitting Date
  0x00380021, // Admitting Time
  0x00380030, // Discharge Date
  0x00380032, // Discharge Time
  0x00400002, // Scheduled Procedure Step Start Date
  0x00400003, // Scheduled Procedure Step Start Time
  0x00400004, // Scheduled Procedure Step End Date
  0x00400005, // Scheduled Procedure Step End Time
  0x00400244, // Performed Procedure Step Start Date
  0x00400245, // Performed Procedure Step Start Time
  0x00400250, // Performed Procedure Step End Date
  0x00400251, // Performed Procedure Step End Time
  0x00402004, // Issue Date of Imaging Service Request
  0x00402005, // Issue Time of Imaging Service Request
  0x00404005, // Scheduled Procedure Step Start DateTime
  0x00404008, // Scheduled Procedure Step Expiration DateTime
  0x00404010, // Scheduled Procedure Step Modification DateTime
  0x00404011, // Expected Completion DateTime
  0x00404050, // Performed Procedure Step Start DateTime
  0x00404051, // Performed Procedure Step End DateTime
  0x00404052, // Procedure Step Cancellation DateTime
  0x0040a023, // Findings Group Recording Date (Trial)
  0x0040a024, // Findings Group Recording Time (Trial)
  0x0040a032, // Observation DateTime
  0x0040a033, // Observation Start DateTime
  0x0040a110, // Date of Document or Verbal Transaction (Trial)
  0x0040a112, // Time of Document Creation or Verbal Transaction (Trial)
  0x0040a192, // Observation Date (Trial)
  0x0040a193, // Observation Time (Trial)
  0x0040b034, // Annotation DateTime
  0x0040b036, // Segment Definition DateTime
  0x0040db06, // Template Version
  0x0040db07, // Template Local Version
  0x0040e004, // HL7 Document Effective Time
  0x00440004, // Approval Status DateTime
  0x0044000b, // Product Expiration DateTime
  0x00440010, // Substance Administration DateTime
  0x00440105, // Assertion Expiration DateTime
  0x00700082, // Presentation Creation Date
  0x00700083, // Presentation Creation Time
  0x01000420, // SOP Authorization DateTime
  0x21000040, // Creation Date
  0x21000050, // Creation Time
  0x3006002d, // ROI DateTime
  0x3006002e, // ROI Observation DateTime
  0x30080054, // First Treatment Date
  0x30080056, // Most Recent Treatment Date
  0x30080250, // Treatment Date
  0x30080251, // Treatment Time
  0x300a0006, // RT Plan Date
  0x300a0007, // RT Plan Time
  0x3010004c, // Intended Phase Start Date
  0x3010004d, // Intended Phase End Date
  0x30100085, // Intended Fraction Start Time
  0x40080100, // Interpretation Recorded Date
  0x40080101, // Interpretation Recorded Time
  0x40080108, // Interpretation Transcription Date
  0x40080109, // Interpretation Transcription Time
  0x40080112, // Interpretation Approval Date
  0x40080113, // Interpretation Approval Time
];

/**
 * Dates and times emptied (Type 2, e.g. Study Date); shifted with Retain Longitudinal Temporal
 * Information.
 */
export const DATE_EMPTY: readonly Tag[] = [
  0x00080020, // Study Date
  0x00080022, // Acquisition Date
  0x00080023, // Content Date
  0x00080030, // Study Time
  0x00080032, // Acquisition Time
  0x00080033, // Content Time
  0x00181203, // Calibration DateTime
  0x00189919, // Instruction Performed DateTime
  0x0040a082, // Participation DateTime
  0x30060008, // Structure Set Date
  0x30060009, // Structure Set Time
  0x300e0004, // Review Date
  0x300e0005, // Review Time
];

/**
 * Dates and date-times replaced by a dummy (Type 1); shifted with Retain Longitudinal Temporal
 * Information.
 */
export const DATE_DUMMY: readonly Tag[] = [
  0x0008002a, // Acquisition DateTime
  0x00080106, // Context Group Version
  0x00080107, // Context Group Local Version
  0x00189074, // Frame Acquisition DateTime
  0x00189151, // Frame Reference DateTime
  0x00189369, // Source Start DateTime
  0x0018936a, // Source End DateTime
  0x00189623, // Functional Sync Pulse
  0x00189701, // Decay Correction DateTime
  0x00189804, // Exclusion Start DateTime
  0x003a0314, // Impedance Measurement DateTime
  0x0040a030, // Verification DateTime
  0x0040a120, // DateTime
  0x0040a121, // Date
  0x0040a122, // Time
  0x0040a13a, // Referenced DateTime
  0x00440104, // Assertion DateTime
  0x00686226, // Effective DateTime
  0x00686270, // Information Issue DateTime
  0x0072000a, // Hanging Protocol Creation DateTime
  0x00720061, // Selector DA Value
  0x00720063, // Selector DT Value
  0x0072006b, // Selector TM Value
  0x04000105, // Digital Signature DateTime
  0x04000562, // Attribute Modification DateTime
  0x30080024, // Treatment Control Point Date
  0x30080025, // Treatment Control Point Time
  0x30080162, // Safe Position Exit Date
  0x30080164, // Safe Position Exit Time
  0x30080166, // Safe Position Return Date
  0x30080168, // Safe Position Return Time
  0x300a022c, // Source Strength Reference Date
  0x300a022e, // Source Strength Reference Time
  0x300a0736, // Treatment Tolerance Violation DateTime
  0x300a073a, // Recorded RT Control Point DateTime
  0x300a0741, // Interlock DateTime
  0x300a0760, // Override DateTime
  0x300c0127, // Beam Hold Transition DateTime
];

/** Free-text descriptions and comments removed; kept after cleaning with Clean Descriptors. */
export const DESCRIPTOR_REMOVE: readonly Tag[] = [
  0x00081030, // Study Description
  0x0008103e, // Series Description
  0x00081080, // Admitting Diagnoses Description
  0x00081084, // Admitting Diagnoses Code Sequence
  0x00081088, // Pyramid Description
  0x00081301, // Principal Diagnosis Code Sequence
  0x00081302, // Primary Diagnosis Code Sequence
  0x00081303, // Secondary Diagnoses Code Sequence
  0x00081304, // Histological Diagnoses Code Sequence
  0x00082111, // Derivation Description
  0x00084000, // Identifying Comments
  0x00102000, // Medical Alerts
  0x00102180, // Occupation
  0x001021b0, // Additional Patient History
  0x00104000, // Patient Comments
  0x00120051, // Clinical Trial Time Point Description
  0x00120072, // Clinical Trial Series Description
  0x0016002b, // Maker Note
  0x0016004b, // Device Setting Description
  0x00181030, // Protocol Name
  0x00181400, // Acquisition Device Processing Description
  0x00184000, // Acquisition Comments
  0x00189185, // Respiratory Motion Compensation Technique Description
  0x0018937b, // Multi-energy Acquisition Description
  0x0018937f, // Decomposition Description
  0x00189424, // Acquisition Protocol Description
  0x00189937, // Requested Series Description
  0x0018a003, // Contribution Description
  0x00200027, // Pyramid Label
  0x00204000, // Image Comments
  0x00209158, // Frame Comments
  0x00321030, // Reason for Study
  0x00321060, // Requested Procedure Description
  0x00321066, // Reason for Visit
  0x00321067, // Reason for Visit Code Sequence
  0x00321070, // Requested Contrast Agent
  0x00324000, // Study Comments
  0x00380040, // Discharge Diagnosis Description
  0x00380062, // Service Episode Description
  0x00384000, // Visit Comments
  0x003a0329, // Waveform Filter Description
  0x003a032b, // Filter Lookup Table Description
  0x00400007, // Scheduled Procedure Step Description
  0x00400254, // Performed Procedure Step Description
  0x00400275, // Request Attributes Sequence
  0x00400280, // Comments on the Performed Procedure Step
  0x00400310, // Comments on Radiation Dose
  0x0040051a, // Container Description
  0x00400600, // Specimen Short Description
  0x00400602, // Specimen Detailed Description
  0x00401002, // Reason for the Requested Procedure
  0x0040100a, // Reason for Requested Procedure Code Sequence
  0x00401400, // Requested Procedure Comments
  0x00402001, // Reason for the Imaging Service Request
  0x00402400, // Imaging Service Request Comments
  0x0040b03b, // Montage Name
  0x0040b03f, // Montage Channel Label
  0x00500021, // Long Device Description
  0x006a0006, // Annotation Group Description
  0x22000002, // Label Text
  0x30020121, // Position Acquisition Template Name
  0x30020123, // Position Acquisition Template Description
  0x30060004, // Structure Set Name
  0x30060006, // Structure Set Description
  0x30060028, // ROI Description
  0x30060038, // ROI Generation Description
  0x30060085, // ROI Observation Label
  0x30060088, // ROI Observation Description
  0x300a0003, // RT Plan Name
  0x300a0004, // RT Plan Description
  0x300a000b, // Treatment Sites
  0x300a000e, // Prescription Description
  0x300a0016, // Dose Reference Description
  0x300a0072, // Fraction Group Description
  0x300a00c3, // Beam Description
  0x300a00dd, // Bolus Description
  0x300a0196, // Fixation Device Description
  0x300a01a6, // Shielding Device Description
  0x300a01b2, // Setup Technique Description
  0x300a02eb, // Compensator Description
  0x300a0676, // Equipment Frame of Reference Description
  0x300a078e, // Patient Treatment Preparation Procedure Parameter Description
  0x300a0792, // Patient Treatment Preparation Method Description
  0x300a0794, // Patient Setup Photo Description
  0x300a079a, // Displacement Reference Label
  0x300c0113, // Reason for Omission Description
  0x30100036, // Entity Name
  0x30100037, // Entity Description
  0x30100056, // RT Treatment Approach Label
  0x30100061, // Prior Treatment Dose Description
  0x30100077, // Treatment Site
  0x4008010b, // Interpretation Text
  0x40080115, // Interpretation Diagnosis Description
  0x40080300, // Impressions
  0x40084000, // Results Comments
];

/** Free-text names and notes emptied; kept after cleaning with Clean Descriptors. */
export const DESCRIPTOR_EMPTY: readonly Tag[] = [
  0x00180010, // Contrast/Bolus Agent
  0x30060026, // ROI Name
  0x300a067d, // Radiation Generation Mode Description
  0x3010000f, // Conceptual Volume Combination Description
  0x30100017, // Conceptual Volume Description
  0x3010005a, // RT Physician Intent Narrative
  0x3010005c, // Reason for Superseding
  0x3010007a, // Treatment Technique Notes
  0x3010007b, // Prescription Notes
  0x3010007f, // Fractionation Notes
  0x30100081, // Prescription Notes Sequence
];

/** Labels replaced by a dummy; kept after cleaning with Clean Descriptors. */
export const DESCRIPTOR_DUMMY: readonly Tag[] = [
  0x001811bb, // Acquisition Field Of View Label
  0x006a0005, // Annotation Group Label
  0x00720066, // Selector LO Value
  0x00720068, // Selector LT Value
  0x0072006c, // Selector SH Value
  0x0072006e, // Selector ST Value
  0x00720070, // Selector UT Value
  0x04000565, // Reason for the Attribute Modification
  0x30060002, // Structure Set Label
  0x300a0002, // RT Plan Label
  0x300a0608, // Treatment Position Group Label
  0x300a0619, // Radiation Dose Identification Label
  0x300a0623, // Radiation Dose In-Vivo Measurement Label
  0x300a062a, // RT Tolerance Set Label
  0x300a067c, // Radiation Generation Mode Label
  0x300a0734, // Treatment Tolerance Violation Description
  0x300a0742, // Interlock Description
  0x300a0783, // Interlock Origin Description
  0x30100033, // User Content Label
  0x30100034, // User Content Long Label
  0x30100035, // Entity Label
  0x30100038, // Entity Long Label
  0x30100054, // RT Prescription Label
];

/** Patient characteristics removed; kept with Retain Patient Characteristics. */
export const PATIENT_REMOVE: readonly Tag[] = [
  0x00101010, // Patient's Age
  0x00101020, // Patient's Size
  0x00101030, // Patient's Weight
  0x00102160, // Ethnic Group
  0x00102161, // Ethnic Group Code Sequence
  0x001021a0, // Smoking Status
  0x001021c0, // Pregnancy Status
];

/**
 * Patient characteristics emptied (Type 2, e.g. Patient's Sex); kept with Retain Patient
 * Characteristics.
 */
export const PATIENT_EMPTY: readonly Tag[] = [
  0x00100040, // Patient's Sex
  0x00102203, // Patient's Sex Neutered
];

/** A patient characteristic replaced by a dummy; kept with Retain Patient Characteristics. */
export const PATIENT_DUMMY: readonly Tag[] = [
  0x0072005f, // Selector AS Value
];

/**
 * Patient characteristics in free text: removed; kept after cleaning with Retain Patient
 * Characteristics.
 */
export const PATIENT_CLEAN: readonly Tag[] = [
  0x00380050, // Special Needs
  0x00400012, // Pre-Medication
];

/**
 * Patient characteristics in free text: removed; kept after cleaning with Retain Patient
 * Characteristics or Clean Descriptors.
 */
export const PATIENT_CLEAN_DESCRIPTOR: readonly Tag[] = [
  0x00102110, // Allergies
  0x00380500, // Patient State
];
