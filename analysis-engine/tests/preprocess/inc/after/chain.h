#pragma once
int chain_after;
