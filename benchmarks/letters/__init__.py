"""Synthetic "photographed letter" images for the scanner benchmark: a page renderer and camera effects."""
