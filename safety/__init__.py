"""Lexical safety backstop: spots messages about suicide, self-harm, abuse or danger."""

from safety.detection import SafetyFinding, detect_safety_concern

__all__ = ["SafetyFinding", "detect_safety_concern"]
