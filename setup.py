#!/usr/bin/env python
"""Packaging for the tokenguard Azure CLI extension (wheel: tokenguard-<version>-py3-none-any.whl)."""
from setuptools import find_packages, setup

VERSION = "0.4.1"

CLASSIFIERS = [
    "Development Status :: 4 - Beta",
    "Intended Audience :: Developers",
    "Intended Audience :: System Administrators",
    "Programming Language :: Python :: 3",
    "License :: OSI Approved :: MIT License",
]

with open("README.md", encoding="utf-8") as readme:
    LONG_DESCRIPTION = readme.read()

setup(
    name="tokenguard",
    version=VERSION,
    description="Guard rails for Azure CLI tokens: context before every command, confirmation for "
                "destructive ones, scoped tokens with a guaranteed lifetime, and cache clean-up.",
    long_description=LONG_DESCRIPTION,
    long_description_content_type="text/markdown",
    license="MIT",
    author="tokenguard",
    url="https://github.com/tokenguard/tokenguard",
    classifiers=CLASSIFIERS,
    # azure-cli-core, knack, msal, pyjwt and colorama come with az itself: re-declaring them would let pip
    # replace az's own copies, so install_requires stays empty.
    install_requires=[],
    python_requires=">=3.9",
    packages=find_packages(include=["azext_tokenguard", "azext_tokenguard.*"]),
    package_data={"azext_tokenguard": ["azext_metadata.json", "guard/data/*.json"]},
)
