"""ArduPlane parameter families the vehicle accepts with ArduPlane's names, types and defaults.

A GCS's setup pages read and write these (QGroundControl's flight modes, radio, safety and
power pages; MAVProxy's ``param``); they are stored, saved to the instance's ``.parm`` and
served like every other parameter. Which of them longwing acts on is recorded per row
(``honoured``): the pilot modes read FLTMODE_CH/FLTMODE1..6, RCMAP_*, RCn_MIN/TRIM/MAX/
REVERSED/DZ, RC_OVERRIDE_TIME, THR_FAILSAFE, FBWB_CLIMB_RATE and ACRO_*_RATE
(mavlink/rc_input.py, control/pilot.py); DO_SET_SERVO reads SERVOn_FUNCTION;
DO_FLIGHTTERMINATION AFS_ENABLE; the boot mode INITIAL_MODE; the links' stream rates the
SRn_ groups of the messages longwing streams (mavlink/gcs_requests.py). The others are
**accepted but ignored**, and documented so in docs/parameters.md.

Names, types (MAV_PARAM_TYPE of the ArduPilot AP_Int8/16/32/AP_Float), units, ranges,
values and defaults follow ArduPlane (Parameters.cpp and the library tables: RC_Channel,
SRV_Channel, GCS_MAVLink, AC_Fence, AP_BattMonitor, AP_Airspeed, AP_Logger, AP_Arming,
AP_AdvancedFailsafe). BATT_*: longwing's aircraft burns fuel; the "battery" a GCS shows is
the fuel tank (SYS_STATUS/BATTERY_STATUS ``battery_remaining`` = fuel percent), so the
electrical battery settings have nothing to act on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from longwing.mavlink.param_table import INT8, INT16, INT32, REAL32, Labels, Row

Getter = Callable[[str], float | int]  # ParamStore.get

#: ArduPlane's flight modes (custom_mode numbers) for a plane without QuadPlane
PLANE_MODES: Labels = (
    (0, "Manual"), (1, "CIRCLE"), (2, "STABILIZE"), (3, "TRAINING"), (4, "ACRO"),
    (5, "FBWA"), (6, "FBWB"), (7, "CRUISE"), (8, "AUTOTUNE"), (10, "Auto"), (11, "RTL"),
    (12, "Loiter"), (13, "TAKEOFF"), (14, "AVOID_ADSB"), (15, "Guided"), (24, "THERMAL"),
)  # fmt: skip
#: ArduPlane's FLIGHT_MODE_1..6 defaults (ArduPlane/config.h): RTL, RTL, FBWA, FBWA, MANUAL x2
FLTMODE_DEFAULTS = (11, 11, 5, 5, 0, 0)
#: SERVOn_FUNCTION defaults of a plane (aileron, elevator, throttle, rudder), then disabled
SERVO_FUNCTION_DEFAULTS = (4, 19, 70, 21)
SERVO_FUNCTIONS: Labels = (
    (-1, "GPIO"), (0, "Disabled"), (1, "RCPassThru"), (4, "Aileron"), (19, "Elevator"),
    (21, "Rudder"), (24, "FlaperonLeft"), (25, "FlaperonRight"), (26, "GroundSteering"),
    (33, "Motor1"), (51, "RCIN1"), (52, "RCIN2"), (53, "RCIN3"), (54, "RCIN4"),
    (70, "Throttle"), (77, "ElevonLeft"), (78, "ElevonRight"), (79, "VTailLeft"),
    (80, "VTailRight"), (135, "RCIN15"), (136, "RCIN16"),
)  # fmt: skip
#: SRn_ groups (MAVLink stream rates per serial link) and ArduPlane's defaults, Hz
SR_GROUPS = (
    ("RAW_SENS", 1, "RAW_IMU, SCALED_IMU2/3, SCALED_PRESSURE(2/3)"),
    ("EXT_STAT", 1, "SYS_STATUS, POWER_STATUS, MEMINFO, MISSION_CURRENT, GPS_RAW_INT, "
                    "NAV_CONTROLLER_OUTPUT, FENCE_STATUS, POSITION_TARGET_GLOBAL_INT"),
    ("RC_CHAN", 1, "SERVO_OUTPUT_RAW, RC_CHANNELS"),
    ("RAW_CTRL", 1, "SERVO_OUT"),
    ("POSITION", 1, "GLOBAL_POSITION_INT, LOCAL_POSITION_NED"),
    ("EXTRA1", 1, "ATTITUDE, AHRS2, PID_TUNING, ..."),
    ("EXTRA2", 1, "VFR_HUD"),
    ("EXTRA3", 1, "AHRS, WIND, SYSTEM_TIME, TERRAIN_REPORT, BATTERY_STATUS, "
                  "EKF_STATUS_REPORT, VIBRATION, ..."),
    ("PARAMS", 10, "PARAM_VALUE (a parameter list download)"),
    ("ADSB", 5, "ADSB_VEHICLE"),
)  # fmt: skip
SR_LINKS = 7  # SR0_ .. SR6_
RC_CHANNELS = 16
SERVO_CHANNELS = 16
_RC_OPTIONS: Labels = (
    (0, "Do Nothing"), (4, "ModeRTL"), (11, "Fence Enable"), (16, "ModeAuto"),
    (31, "Parachute Release"), (41, "ArmDisarm (4.1 and lower)"), (153, "ArmDisarm (arm/disarm)"),
)  # fmt: skip
_ENABLE: Labels = ((0, "Disabled"), (1, "Enabled"))


def _rc_rows() -> list[Row]:
    rows = []
    for n in range(1, RC_CHANNELS + 1):
        p = f"RC{n}_"
        rows += [
            Row(p + "MIN", "", INT16, "PWM", 800, 2200, f"RC input {n}: minimum PWM",
                default=1100, user="Advanced", display=f"RC min PWM {n}", honoured=True),
            Row(p + "TRIM", "", INT16, "PWM", 800, 2200, f"RC input {n}: trim (centre) PWM",
                default=1500, user="Advanced", display=f"RC trim PWM {n}", honoured=True),
            Row(p + "MAX", "", INT16, "PWM", 800, 2200, f"RC input {n}: maximum PWM",
                default=1900, user="Advanced", display=f"RC max PWM {n}", honoured=True),
            Row(p + "REVERSED", "", INT8, "", 0, 1, f"RC input {n}: reversed",
                ((0, "Normal"), (1, "Reversed")), default=0, user="Advanced",
                display=f"RC reversed {n}", honoured=True),
            Row(p + "DZ", "", INT16, "PWM", 0, 200, f"RC input {n}: dead zone around trim",
                default=0, user="Advanced", display=f"RC dead-zone {n}", honoured=True),
            Row(p + "OPTION", "", INT16, "", 0, 524, f"RC input {n}: auxiliary function",
                _RC_OPTIONS, default=0, display=f"RC input option {n}"),
        ]  # fmt: skip
    return rows


def _servo_rows() -> list[Row]:
    rows = []
    for n in range(1, SERVO_CHANNELS + 1):
        p = f"SERVO{n}_"
        fn = SERVO_FUNCTION_DEFAULTS[n - 1] if n <= len(SERVO_FUNCTION_DEFAULTS) else 0
        rows += [
            Row(p + "MIN", "", INT16, "PWM", 800, 2200, f"output {n}: minimum PWM",
                default=1100, user="Standard", display=f"Minimum PWM {n}"),
            Row(p + "MAX", "", INT16, "PWM", 800, 2200, f"output {n}: maximum PWM",
                default=1900, user="Standard", display=f"Maximum PWM {n}"),
            Row(p + "TRIM", "", INT16, "PWM", 800, 2200, f"output {n}: trim PWM",
                default=1500, user="Standard", display=f"Trim PWM {n}"),
            Row(p + "REVERSED", "", INT8, "", 0, 1, f"output {n}: reversed",
                ((0, "Normal"), (1, "Reversed")), default=0, display=f"Servo reverse {n}"),
            Row(p + "FUNCTION", "", INT16, "", -1, 188, f"output {n}: what it drives",
                SERVO_FUNCTIONS, default=fn, display=f"Servo output function {n}",
                honoured=True),
        ]  # fmt: skip
    return rows


SR_HONOURED = frozenset({"RAW_SENS", "EXT_STAT", "RC_CHAN", "POSITION", "EXTRA1", "EXTRA2",
                         "EXTRA3"})  # the groups whose messages longwing streams  # fmt: skip


def _sr_rows() -> list[Row]:
    return [
        Row(f"SR{k}_{g}", "", INT16, "Hz", 0, 50,
            f"link {k}: stream rate of {what}", default=rate, user="Advanced",
            display=f"{g} stream rate", honoured=g in SR_HONOURED)
        for k in range(SR_LINKS)
        for g, rate, what in SR_GROUPS
    ]  # fmt: skip


def _general_rows() -> list[Row]:
    fltmodes = [
        Row(f"FLTMODE{i}", "", INT8, "", 0, 24, f"flight mode for switch position {i}",
            PLANE_MODES, default=FLTMODE_DEFAULTS[i - 1], display=f"FlightMode{i}",
            honoured=True)
        for i in range(1, 7)
    ]  # fmt: skip
    return [
        Row("INITIAL_MODE", "", INT8, "", 0, 24, "flight mode at boot", PLANE_MODES, default=0,
            user="Advanced", display="Initial flight mode", honoured=True),
        Row("FLTMODE_CH", "", INT8, "", 1, 16, "RC channel of the flight-mode switch",
            default=8, user="Advanced", display="Flightmode channel", honoured=True),
        *fltmodes,
        Row("RCMAP_ROLL", "", INT8, "", 1, 16, "RC input channel for roll", default=1,
            user="Advanced", display="Roll channel", honoured=True),
        Row("RCMAP_PITCH", "", INT8, "", 1, 16, "RC input channel for pitch", default=2,
            user="Advanced", display="Pitch channel", honoured=True),
        Row("RCMAP_THROTTLE", "", INT8, "", 1, 16, "RC input channel for throttle", default=3,
            user="Advanced", display="Throttle channel", honoured=True),
        Row("RCMAP_YAW", "", INT8, "", 1, 16, "RC input channel for yaw", default=4,
            user="Advanced", display="Yaw channel", honoured=True),
        Row("THR_FAILSAFE", "", INT8, "", 0, 2,
            "RC failsafe: 1 on a throttle input below THR_FS_VALUE or no RC input",
            ((0, "Disabled"), (1, "Enabled"), (2, "EnabledNoFailsafe")), default=1,
            display="Throttle and RC Failsafe Enable", honoured=True),
        Row("RC_OVERRIDE_TIME", "", REAL32, "s", -1, 120,
            "how long a GCS's RC override lasts (then: no RC input); 0 or less: for ever",
            default=3.0, user="Advanced", display="RC override timeout", honoured=True),
        Row("FBWB_CLIMB_RATE", "", REAL32, "m/s", 1, 10,
            "FBWB/CRUISE climb rate at full pitch stick", default=2.0,
            display="Fly By Wire B altitude change rate", honoured=True),
        Row("ACRO_ROLL_RATE", "", INT16, "deg/s", 10, 500, "ACRO roll rate at full stick",
            default=180, display="ACRO mode roll rate", honoured=True),
        Row("ACRO_PITCH_RATE", "", INT16, "deg/s", 10, 500, "ACRO pitch rate at full stick",
            default=180, display="ACRO mode pitch rate", honoured=True),
        Row("THR_FS_VALUE", "", INT16, "PWM", 925, 2200,
            "throttle PWM below which the RC failsafe triggers", default=950,
            display="Throttle Failsafe Value"),
        Row("ARMING_CHECK", "", INT32, "", 0, 2**31 - 1,
            "pre-arm checks to run (bitmask; 1 all); longwing always runs its own",
            bitmask=((0, "All"), (1, "Barometer"), (2, "Compass"), (3, "GPS lock"), (4, "INS"),
                     (5, "Parameters"), (6, "RC Channels"), (7, "Board voltage"),
                     (8, "Battery Level"), (9, "Airspeed"), (10, "Logging Available"),
                     (11, "Hardware safety switch"), (12, "GPS Configuration"),
                     (13, "System"), (14, "Mission"), (15, "Rangefinder")),
            default=1, display="Arm Checks to Perform (bitmask)"),
        Row("FENCE_ENABLE", "", INT8, "", 0, 1, "fence master switch", _ENABLE, default=0,
            display="Fence enable/disable"),
        Row("FENCE_TYPE", "", INT8, "", 0, 15, "fence types enabled (bitmask)",
            bitmask=((0, "Max altitude"), (1, "Circle Centered on Home"),
                     (2, "Inclusion/Exclusion Circles+Polygons"), (3, "Min altitude")),
            default=4, display="Fence Type"),
        Row("FENCE_ALT_MAX", "", REAL32, "m", 10, 1000, "maximum altitude above home",
            default=100.0, display="Fence Maximum Altitude"),
        Row("FENCE_ALT_MIN", "", REAL32, "m", -100, 100, "minimum altitude above home",
            default=-10.0, display="Fence Minimum Altitude"),
        Row("FENCE_RADIUS", "", REAL32, "m", 30, 10000, "radius of the circle fence at home",
            default=300.0, display="Circular Fence Radius"),
        Row("FENCE_MARGIN", "", REAL32, "m", 1, 10, "distance kept from the fence",
            default=2.0, display="Fence Margin"),
        Row("BATT_MONITOR", "", INT8, "", 0, 30,
            "battery monitor type; longwing's 'battery' is the fuel gauge, always on",
            ((0, "Disabled"), (3, "Analog Voltage Only"), (4, "Analog Voltage and Current"),
             (7, "SMBus-Generic"), (9, "ESC")), default=4, display="Battery monitoring"),
        Row("BATT_CAPACITY", "", INT32, "mAh", 0, 2**31 - 1,
            "battery capacity; longwing's tank capacity is the airframe's fuel_capacity_kg",
            default=3300, display="Battery capacity"),
        Row("BATT_LOW_VOLT", "", REAL32, "V", 0, 100, "low battery voltage", default=10.5,
            display="Low battery voltage"),
        Row("BATT_LOW_MAH", "", REAL32, "mAh", 0, 1e9, "low battery remaining capacity",
            default=0.0, display="Low battery capacity"),
        Row("BATT_CRT_VOLT", "", REAL32, "V", 0, 100, "critical battery voltage",
            default=0.0, display="Critical battery voltage"),
        Row("BATT_CRT_MAH", "", REAL32, "mAh", 0, 1e9, "critical battery remaining capacity",
            default=0.0, display="Battery critical capacity"),
        Row("BATT_FS_LOW_ACT", "", INT8, "", 0, 6,
            "low battery action; longwing's low-fuel action is LW_FS_FUEL_ACTN",
            ((0, "None"), (1, "RTL"), (2, "Land"), (3, "Terminate")), default=0,
            display="Low battery failsafe action"),
        Row("BATT_FS_CRT_ACT", "", INT8, "", 0, 6, "critical battery action",
            ((0, "None"), (1, "RTL"), (2, "Land"), (3, "Terminate")), default=0,
            display="Critical battery failsafe action"),
        Row("ARSPD_TYPE", "", INT8, "", 0, 100,
            "airspeed sensor type; longwing's pitot is the airframe's (sensors/pitot)",
            ((0, "None"), (1, "I2C-MS4525D0"), (2, "Analog"), (100, "SITL")), default=100,
            user="Standard", display="Airspeed type"),
        Row("ARSPD_USE", "", INT8, "", 0, 2, "use the airspeed sensor for control",
            ((0, "DoNotUse"), (1, "Use"), (2, "UseWhenZeroThrottle")), default=1,
            display="Airspeed use"),
        Row("ARSPD_RATIO", "", REAL32, "", 0, 4, "airspeed calibration ratio", default=1.9936,
            user="Advanced", display="Airspeed ratio"),
        Row("ARSPD_OFFSET", "", REAL32, "", 0, 100000, "airspeed sensor offset", default=0.0,
            user="Advanced", display="Airspeed offset"),
        Row("ARSPD_AUTOCAL", "", INT8, "", 0, 1, "in-flight ratio calibration", _ENABLE,
            default=0, user="Advanced", display="Automatic airspeed ratio calibration"),
        Row("LOG_BITMASK", "", INT32, "", 0, 2**31 - 1, "what the onboard log records",
            bitmask=((0, "Fast Attitude"), (1, "Medium Attitude"), (2, "GPS"), (3, "Performance"),
                     (4, "Control Tuning"), (5, "Navigation Tuning"), (7, "IMU"),
                     (8, "Mission Commands"), (9, "Battery Monitor"), (10, "Compass"),
                     (11, "TECS"), (12, "Camera"), (13, "RC Input-Output")),
            default=65535, display="Log bitmask"),
        Row("LOG_DISARMED", "", INT8, "", 0, 3, "log while disarmed", _ENABLE, default=0,
            display="Enable logging while disarmed"),
        Row("LOG_BACKEND_TYPE", "", INT8, "", 0, 7, "where logs go (bitmask)",
            bitmask=((0, "File"), (1, "MAVLink"), (2, "Block")), default=1,
            display="AP_Logger Backend Storage type"),
        Row("LOG_FILE_DSRMROT", "", INT8, "", 0, 1, "new log file on each disarm", _ENABLE,
            default=0, display="Stop logging to current file on disarm"),
        Row("AFS_ENABLE", "", INT8, "", 0, 1, "advanced failsafe (flight termination)",
            _ENABLE, default=0, display="Enable Advanced Failsafe", honoured=True),
        Row("AFS_TERM_ACTION", "", INT32, "", 0, 43,
            "termination action: 42 terminate (surfaces to the termination positions)",
            ((0, "None"), (42, "Terminate")), default=0,
            display="Terminate action"),
    ]  # fmt: skip


def ardupilot_rows() -> tuple[Row, ...]:
    """Every accepted ArduPlane row, in the order the vehicle lists them."""
    return tuple(_general_rows() + _rc_rows() + _servo_rows() + _sr_rows())


# --- typed views for the code that acts on these (pilot modes, per-link stream rates) ------


@dataclass(frozen=True)
class RcInput:
    """RCn_* of one RC input channel (PWM in microseconds)."""

    min_pwm: int
    trim_pwm: int
    max_pwm: int
    reversed: bool
    dead_zone_pwm: int
    option: int


@dataclass(frozen=True)
class ServoOutput:
    """SERVOn_* of one output channel (PWM in microseconds; ``function`` as SERVOn_FUNCTION:
    4 aileron, 19 elevator, 21 rudder, 70 throttle, 0 disabled)."""

    min_pwm: int
    trim_pwm: int
    max_pwm: int
    reversed: bool
    function: int


@dataclass(frozen=True)
class RcMap:
    """RCMAP_*: the RC input channel (1-based) of each stick."""

    roll: int
    pitch: int
    throttle: int
    yaw: int


def rc_input(get: Getter, channel: int) -> RcInput:
    """RC input ``channel`` (1..16) from ``store.get``. ValueError for another channel."""
    if not 1 <= channel <= RC_CHANNELS:
        raise ValueError(f"RC channel {channel} is not 1..{RC_CHANNELS}")
    p = f"RC{channel}_"
    pwm = [int(get(p + k)) for k in ("MIN", "TRIM", "MAX")]
    return RcInput(*pwm, bool(get(p + "REVERSED")), int(get(p + "DZ")), int(get(p + "OPTION")))


def servo_output(get: Getter, channel: int) -> ServoOutput:
    """Output ``channel`` (1..16) from ``store.get``. ValueError for another channel."""
    if not 1 <= channel <= SERVO_CHANNELS:
        raise ValueError(f"servo channel {channel} is not 1..{SERVO_CHANNELS}")
    p = f"SERVO{channel}_"
    return ServoOutput(int(get(p + "MIN")), int(get(p + "TRIM")), int(get(p + "MAX")),
                       bool(get(p + "REVERSED")), int(get(p + "FUNCTION")))  # fmt: skip


def rc_map(get: Getter) -> RcMap:
    return RcMap(*(int(get(f"RCMAP_{a}")) for a in ("ROLL", "PITCH", "THROTTLE", "YAW")))


def flight_modes(get: Getter) -> tuple[int, ...]:
    """FLTMODE1..6: the custom mode of each flight-mode switch position."""
    return tuple(int(get(f"FLTMODE{i}")) for i in range(1, 7))


def stream_rates_hz(get: Getter, link: int) -> dict[str, int]:
    """SR<link>_*: stream group (RAW_SENS, EXT_STAT, ... ADSB) -> rate in Hz (0: off).
    ValueError for a link other than 0..6."""
    if not 0 <= link < SR_LINKS:
        raise ValueError(f"link {link} is not 0..{SR_LINKS - 1}")
    return {g: int(get(f"SR{link}_{g}")) for g, _, _ in SR_GROUPS}
