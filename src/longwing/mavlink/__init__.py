"""The simulated vehicle's MAVLink endpoint: it speaks MAVLink 2 as an ArduPlane does, so
QGroundControl, MAVProxy and MAVSDK fly it unmodified (pymavlink at the edge only)."""
