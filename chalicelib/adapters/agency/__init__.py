"""The collection agency interface: signed HTTPS hand-over of a claim with its history."""
