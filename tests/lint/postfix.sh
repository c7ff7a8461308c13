#!/bin/bash
echo "SKIP: cases not written yet"; exit 77
