"""embedded_aws"""
